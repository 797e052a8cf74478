export { AuthModule } from './auth.module';
export { AuthService } from './auth.service';
export { ApiAuthGuard } from './api-auth.guard';
export { CurrentPrincipal, Public } from './decorators';
export { apiKeyFromHeaders } from './strategies';
export type { Principal } from './principal';
