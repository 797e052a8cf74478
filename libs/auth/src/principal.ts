import type { ApiKeyScope, UserRole } from '@app/contracts';

/** What an API key may do: send logs, read them, or everything an admin may. */
export type { ApiKeyScope };

/** Who is making a request: a signed-in user or an integration's API key. */
export type Principal =
  | {
      kind: 'user';
      id: string;
      username: string;
      role: UserRole;
      /** The sign-in session of the access token (absent for principals made in-process). */
      sessionId?: string;
    }
  | {
      kind: 'api-key';
      id: string;
      name: string;
      scopes: readonly ApiKeyScope[];
      /** When set, the key may ingest and read only lines of this source. */
      source: string | null;
    };

export interface AccessTokenClaims {
  sub: string;
  username: string;
  role: UserRole;
  /** Session id: the token dies with its session (logout, password change, refresh-token replay). */
  sid: string;
}
