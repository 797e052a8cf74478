import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { UserRole } from '@app/contracts';
import { REQUIRED_ROLE } from './decorators';
import type { Principal } from './principal';

/** Higher rank includes the lower ones: an admin may do what an editor may. */
const ROLE_RANK: Record<UserRole, number> = { viewer: 1, editor: 2, admin: 3 };

/** Whether a principal holds at least `required`. */
export function hasRole(principal: Principal, required: UserRole): boolean {
  // API keys are integration credentials: read-only beyond ingest until scoped keys exist.
  const role: UserRole = principal.kind === 'user' ? principal.role : 'viewer';
  return ROLE_RANK[role] >= ROLE_RANK[required];
}

/** Global guard after authentication: enforces @RequireRole on the route or its controller. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<UserRole | undefined>(REQUIRED_ROLE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required) return true;
    const principal = context.switchToHttp().getRequest().user as Principal | undefined;
    if (!principal) return true; // a @Public route; authentication is the other guard's job
    if (!hasRole(principal, required)) {
      throw new ForbiddenException(`This needs the ${required} role`);
    }
    return true;
  }
}
