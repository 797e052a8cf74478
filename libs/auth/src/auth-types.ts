// REST shapes of sign-in sessions, users and scoped API keys. They belong in libs/contracts (the
// frontend's types): until they move there, they live here and extend the contracts' types.
import type {
  ApiKeySummary,
  CreatedApiKey,
  CurrentUser,
  LoginResponse,
  UserRole,
} from '@app/contracts';
import type { ApiKeyScope } from './principal';

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
