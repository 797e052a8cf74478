import type {
  ApiKeyDetails,
  AuditEntry,
  CreateApiKeyRequest,
  CreatedApiKeyDetails,
  CreateUserRequest,
  CurrentUser,
  UserRole,
  UserSummary,
} from '@app/contracts';
import { request, toQuery } from './client';

export function getMe(signal?: AbortSignal): Promise<CurrentUser> {
  return request<CurrentUser>('/api/v1/auth/me', { signal });
}

export function listApiKeys(signal?: AbortSignal): Promise<ApiKeyDetails[]> {
  return request<ApiKeyDetails[]>('/api/v1/api-keys', { signal });
}

export function createApiKey(body: CreateApiKeyRequest): Promise<CreatedApiKeyDetails> {
  return request<CreatedApiKeyDetails>('/api/v1/api-keys', { method: 'POST', body });
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

export function listUsers(signal?: AbortSignal): Promise<UserSummary[]> {
  return request<UserSummary[]>('/api/v1/users', { signal });
}

export function createUser(body: CreateUserRequest): Promise<UserSummary> {
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
