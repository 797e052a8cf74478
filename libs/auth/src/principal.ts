import type { UserRole } from '@app/contracts';

/** Who is making a request: a signed-in user or an integration's API key. */
export type Principal =
  | { kind: 'user'; id: string; username: string; role: UserRole }
  | { kind: 'api-key'; id: string; name: string };

export interface AccessTokenClaims {
  sub: string;
  username: string;
  role: UserRole;
}
