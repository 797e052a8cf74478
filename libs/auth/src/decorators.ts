import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { UserRole } from '@app/contracts';
import type { Principal } from './principal';

export const IS_PUBLIC = 'lookout:isPublic';
export const REQUIRED_ROLE = 'lookout:requiredRole';

/** The least role a route needs (viewer < editor < admin); API keys count as viewer. */
export const RequireRole = (role: UserRole): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_ROLE, role);

/** Marks a route that needs no credentials (login, health, metrics, the dashboard). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The authenticated principal of the request. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest().user,
);
