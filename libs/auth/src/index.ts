export { AuthModule } from './auth.module';
export { AuthService } from './auth.service';
export { ApiAuthGuard } from './api-auth.guard';
export { CurrentPrincipal, Public, RequireRole } from './decorators';
export { hasRole, RolesGuard } from './roles.guard';
export { apiKeyFromHeaders } from './strategies';
export type { Principal } from './principal';
export { AuditService, maskSecrets, type AuditChange, type AuditQuery } from './audit.service';
