import type {
  ApiKeySummary,
  AuditEntry,
  CreatedApiKey,
  CurrentUser,
  UserRole,
} from '@app/contracts';
import { request, toQuery } from './client';

export function getMe(signal?: AbortSignal): Promise<CurrentUser> {
  return request<CurrentUser>('/api/v1/auth/me', { signal });
}

export function listApiKeys(signal?: AbortSignal): Promise<ApiKeyDetails[]> {
  return request<ApiKeyDetails[]>('/api/v1/api-keys', { signal });
}

export function createApiKey(body: {
  name: string;
  scopes?: ApiKeyScope[];
  source?: string;
}): Promise<CreatedApiKey & ApiKeyDetails> {
  return request<CreatedApiKey & ApiKeyDetails>('/api/v1/api-keys', { method: 'POST', body });
}

export function revokeApiKey(id: string): Promise<ApiKeyDetails> {
  return request<ApiKeyDetails>(`/api/v1/api-keys/${encodeURIComponent(id)}/revoke`, {
    method: 'POST',
  });
}

export function listAudit(
  params: { entityType?: string; before?: string; limit?: number },
  signal?: AbortSignal,
): Promise<AuditEntry[]> {
  return request<AuditEntry[]>(`/api/v1/audit${toQuery(params)}`, { signal });
}

/*
 * Users, roles and scoped API keys. These shapes are the api's (libs/auth/src/auth-types.ts),
 * which are not in libs/contracts yet; they are written out here until they move there.
 */

export type ApiKeyScope = 'ingest' | 'read' | 'admin';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['ingest', 'read', 'admin'];

export interface ApiKeyDetails extends ApiKeySummary {
  /** Absent on servers without scoped keys. */
  scopes?: ApiKeyScope[];
  source?: string | null;
}

export interface UserSummary extends CurrentUser {
  createdAt: string;
  updatedAt: string;
  passwordChangedAt: string | null;
  lastLoginAt: string | null;
}

export const USER_ROLES: readonly UserRole[] = ['viewer', 'editor', 'admin'];

export function listUsers(signal?: AbortSignal): Promise<UserSummary[]> {
  return request<UserSummary[]>('/api/v1/users', { signal });
}

export function createUser(body: {
  username: string;
  password: string;
  role: UserRole;
}): Promise<UserSummary> {
  return request<UserSummary>('/api/v1/users', { method: 'POST', body });
}

export function updateUser(
  id: string,
  body: { username?: string; role?: UserRole },
): Promise<UserSummary> {
  return request<UserSummary>(`/api/v1/users/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body,
  });
}

export function resetPassword(id: string, password: string): Promise<void> {
  return request<void>(`/api/v1/users/${encodeURIComponent(id)}/password`, {
    method: 'PUT',
    body: { password },
  });
}

export function deleteUser(id: string): Promise<void> {
  return request<void>(`/api/v1/users/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function changeOwnPassword(currentPassword: string, newPassword: string): Promise<void> {
  return request<void>('/api/v1/auth/password', {
    method: 'POST',
    body: { currentPassword, newPassword },
    keepSessionOn401: true,
  });
}
