import { useSyncExternalStore } from 'react';

/** sessionStorage key of the API access token (a JWT). */
export const TOKEN_KEY = 'lookout.token';

type Listener = () => void;

const listeners = new Set<Listener>();

function readStoredToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    // Storage can be unavailable (privacy modes); the session then lives in memory only.
    return null;
  }
}

let token: string | null = readStoredToken();
/** Why the user was signed out, shown on the login screen; null after a deliberate logout. */
let signOutNotice: string | null = null;

function emit(): void {
  for (const listener of listeners) listener();
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function getToken(): string | null {
  return token;
}

export function setToken(accessToken: string): void {
  token = accessToken;
  signOutNotice = null;
  try {
    sessionStorage.setItem(TOKEN_KEY, accessToken);
  } catch {
    /* memory only */
  }
  emit();
}

/**
 * Drops the token, which sends the app back to the login screen.
 * `notice` explains why when the sign-out was not the user's choice.
 */
export function clearToken(notice: string | null = null): void {
  if (token === null && notice === signOutNotice) return;
  token = null;
  signOutNotice = notice;
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* memory only */
  }
  emit();
}

export function useAuthToken(): string | null {
  return useSyncExternalStore(subscribe, getToken);
}

export function useSignOutNotice(): string | null {
  return useSyncExternalStore(subscribe, () => signOutNotice);
}
