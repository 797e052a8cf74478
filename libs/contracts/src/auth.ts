export type UserRole = 'admin' | 'editor' | 'viewer';
/** Every role, least first. */
export const USER_ROLES: readonly UserRole[] = ['viewer', 'editor', 'admin'];

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

/** What an API key may do: send lines, read (viewer), or everything (admin). */
export type ApiKeyScope = 'ingest' | 'read' | 'admin';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['ingest', 'read', 'admin'];

/** `POST /api/v1/auth/login` and `POST /api/v1/auth/refresh`. */
export interface TokenPair extends LoginResponse {
  /** Single use: exchange it at /api/v1/auth/refresh for a new pair before it expires. */
  refreshToken: string;
  /** Seconds until the refresh token expires. */
  refreshExpiresIn: number;
}

export interface RefreshRequest {
  refreshToken: string;
}

export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

export interface UserSummary extends CurrentUser {
  createdAt: string;
  updatedAt: string;
  passwordChangedAt: string | null;
  lastLoginAt: string | null;
}

export interface CreateUserRequest {
  username: string;
  password: string;
  role: UserRole;
}

export interface UpdateUserRequest {
  username?: string;
  role?: UserRole;
}

export interface ResetPasswordRequest {
  password: string;
}

export interface ApiKeyDetails extends ApiKeySummary {
  scopes: ApiKeyScope[];
  /** The only source the key may ingest as and read; null for any. */
  source: string | null;
}

export interface CreateApiKeyRequest {
  name: string;
  /** Default: ingest and read. */
  scopes?: ApiKeyScope[];
  source?: string;
}

export type CreatedApiKeyDetails = CreatedApiKey & ApiKeyDetails;
