import { useSyncExternalStore } from 'react';

/**
 * The sign-in session of this browser tab. The access token (short-lived) and the single-use
 * refresh token live in memory and in sessionStorage: they survive a reload of the tab, never
 * reach other tabs or disk-backed storage, and are gone when the tab closes. No cookie is used,
 * so there is nothing for another site to ride on (CSRF).
 */
export interface Session {
  accessToken: string;
  /** Epoch ms at which the access token expires (0: unknown). */
  expiresAt: number;
  /** Null when the server issues no refresh tokens. */
  refreshToken: string | null;
}

/** sessionStorage key of the session. */
export const SESSION_KEY = 'lookout.session';

type Listener = () => void;
const listeners = new Set<Listener>();

function readStored(): Session | null {
  try {
    const text = sessionStorage.getItem(SESSION_KEY);
    if (!text) return null;
    const value = JSON.parse(text) as Partial<Session>;
    if (typeof value.accessToken !== 'string') return null;
    return {
      accessToken: value.accessToken,
      expiresAt: typeof value.expiresAt === 'number' ? value.expiresAt : 0,
      refreshToken: typeof value.refreshToken === 'string' ? value.refreshToken : null,
    };
  } catch {
    // Storage can be unavailable (privacy modes); the session then lives in memory only.
    return null;
  }
}

let session: Session | null = readStored();
/** Why the user was signed out, shown on the login screen; null after a deliberate logout. */
let signOutNotice: string | null = null;

function emit(): void {
  for (const listener of listeners) listener();
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function store(): void {
  try {
    if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    /* memory only */
  }
}

export function getToken(): string | null {
  return session?.accessToken ?? null;
}

export function getSession(): Session | null {
  return session;
}

/** Starts or renews the session from a login or refresh answer. */
export function setSession(tokens: {
  accessToken: string;
  expiresIn?: number;
  refreshToken?: string | null;
}): void {
  const renewing = session !== null;
  session = {
    accessToken: tokens.accessToken,
    expiresAt: tokens.expiresIn ? Date.now() + tokens.expiresIn * 1000 : 0,
    refreshToken: tokens.refreshToken ?? null,
  };
  signOutNotice = null;
  store();
  // A renewal changes nothing the screens show: only a new sign-in re-renders.
  if (!renewing) emit();
}

/**
 * Drops the session, which sends the app back to the login screen.
 * `notice` explains why when the sign-out was not the user's choice.
 */
export function clearToken(notice: string | null = null): void {
  if (session === null && notice === signOutNotice) return;
  session = null;
  signOutNotice = notice;
  store();
  emit();
}

export function useAuthToken(): string | null {
  return useSyncExternalStore(subscribe, () => (session === null ? null : 'signed-in'));
}

export function useSignOutNotice(): string | null {
  return useSyncExternalStore(subscribe, () => signOutNotice);
}
