import type { LoginRequest, TokenPair } from '@app/contracts';
import { clearToken, getSession, setSession } from '../auth';

export const SESSION_EXPIRED = 'Your session has expired. Please sign in again.';

/** Renew this long before the access token expires. */
const RENEW_EARLY_MS = 30_000;

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
}

let renewing: Promise<string | null> | null = null;

/**
 * Exchanges the refresh token for a new pair. One exchange at a time: a refresh token works once,
 * and presenting it twice would end the session. Resolves with the new access token, or null when
 * the session cannot be renewed (then the user is signed out).
 */
export function renewSession(): Promise<string | null> {
  if (renewing) return renewing;
  const current = getSession();
  if (!current?.refreshToken) return Promise.resolve(null);
  const refreshToken = current.refreshToken;
  renewing = (async () => {
    try {
      const res = await post('/api/v1/auth/refresh', { refreshToken });
      if (!res.ok) {
        // Only sign out if nobody signed in again meanwhile.
        if (getSession()?.refreshToken === refreshToken) clearToken(SESSION_EXPIRED);
        return null;
      }
      const pair = (await res.json()) as TokenPair;
      setSession(pair);
      return pair.accessToken;
    } catch {
      return null; // offline: keep the session, try again later
    } finally {
      renewing = null;
    }
  })();
  return renewing;
}

/** The access token to send now, renewed first when it is about to expire. */
export async function freshToken(): Promise<string | null> {
  const current = getSession();
  if (!current) return null;
  if (
    current.refreshToken &&
    current.expiresAt > 0 &&
    current.expiresAt - Date.now() < RENEW_EARLY_MS
  ) {
    return (await renewSession()) ?? getSession()?.accessToken ?? null;
  }
  return current.accessToken;
}

export async function signIn(credentials: LoginRequest): Promise<void> {
  let res: Response;
  try {
    res = await post('/api/v1/auth/login', credentials);
  } catch {
    throw new Error('Cannot reach the Lookout API. Is the server running?');
  }
  if (!res.ok) {
    let message =
      res.status === 401 ? 'Wrong username or password.' : `Sign-in failed (${res.status}).`;
    try {
      const body = (await res.json()) as { message?: string | string[] };
      if (res.status !== 401 && body.message)
        message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    } catch {
      /* keep the generic message */
    }
    if (res.status === 429) {
      const wait = Number(res.headers.get('retry-after'));
      if (wait > 0) message = `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} min.`;
    }
    throw new Error(message);
  }
  setSession((await res.json()) as TokenPair);
}

/** Ends the session on the server (its tokens stop working at once), then here. */
export async function signOut(): Promise<void> {
  const refreshToken = getSession()?.refreshToken;
  clearToken();
  if (refreshToken) {
    try {
      await post('/api/v1/auth/logout', { refreshToken });
    } catch {
      /* the tokens expire on their own */
    }
  }
}
