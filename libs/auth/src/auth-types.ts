// REST shapes of sign-in sessions, users and scoped API keys live in libs/contracts (shared with the
// dashboard); re-exported here for the auth lib's own imports.
export type {
  TokenPair,
  RefreshRequest,
  ChangePasswordRequest,
  UserSummary,
  CreateUserRequest,
  UpdateUserRequest,
  ResetPasswordRequest,
  ApiKeyDetails,
  CreateApiKeyRequest,
  CreatedApiKeyDetails,
} from '@app/contracts';
