export type UserRole = 'admin' | 'editor' | 'viewer';

export interface LoginRequest {
  username: string;
  password: string;
}

export interface LoginResponse {
  accessToken: string;
  /** Seconds until the token expires. */
  expiresIn: number;
}

export interface CurrentUser {
  id: string;
  username: string;
  role: UserRole;
}

export interface ApiKeySummary {
  id: string;
  name: string;
  /** The first characters of the key, to recognise it; the key itself is shown once. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKeySummary {
  /** The secret; shown only in this response. */
  key: string;
}

export interface ErrorResponse {
  statusCode: number;
  error: string;
  message: string | string[];
}

/** One configuration change in the audit log. */
export interface AuditEntry {
  /** Decimal string, increasing. */
  id: string;
  at: string;
  actor: { kind: 'user' | 'api-key'; id: string; name: string };
  action: string;
  entityType: string;
  entityId: string | null;
  /** Secrets are replaced by "***". */
  before: unknown;
  after: unknown;
}
