export { AuthModule } from './auth.module';
export { AuthService, type AccessTokenCheck } from './auth.service';
export { ApiAuthGuard } from './api-auth.guard';
export {
  AllowSourceRestrictedKeys,
  CurrentPrincipal,
  Public,
  RequireRole,
  RequireScope,
  type SourceRestrictionMode,
} from './decorators';
export {
  accessAllows,
  effectiveRole,
  hasRole,
  hasScope,
  isIngestRoute,
  RolesGuard,
  routeAccess,
  type RouteAccess,
} from './roles.guard';
export { RouteCatalog, type CatalogRoute } from './route-catalog';
export { SECURITY_SETTINGS, securitySettings, type SecuritySettings } from './security-settings';
export { apiKeyFromHeaders } from './strategies';
export type { ApiKeyScope, Principal } from './principal';
export { AuditService, maskSecrets, type AuditChange, type AuditQuery } from './audit.service';
export type * from './auth-types';
