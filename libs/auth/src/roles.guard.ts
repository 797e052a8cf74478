import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { UserRole } from '@app/contracts';
import {
  IS_PUBLIC,
  REQUIRED_ROLE,
  REQUIRED_SCOPES,
  SOURCE_RESTRICTION,
  type SourceRestrictionMode,
} from './decorators';
import type { ApiKeyScope, Principal } from './principal';

/** Higher rank includes the lower ones: an admin may do what an editor may. */
const ROLE_RANK: Record<UserRole, number> = { viewer: 1, editor: 2, admin: 3 };

/** The user role that stands for a key scope on routes that name a scope. */
const SCOPE_ROLE: Record<ApiKeyScope, UserRole> = {
  read: 'viewer',
  ingest: 'editor',
  admin: 'admin',
};

/** The role a principal acts with: a user's own; `admin` or `read` (viewer) for keys; else none. */
export function effectiveRole(principal: Principal): UserRole | null {
  if (principal.kind === 'user') return principal.role;
  if (principal.scopes.includes('admin')) return 'admin';
  if (principal.scopes.includes('read')) return 'viewer';
  return null; // an ingest-only key
}

/** Whether a principal holds at least `required`. */
export function hasRole(principal: Principal, required: UserRole): boolean {
  const role = effectiveRole(principal);
  return role !== null && ROLE_RANK[role] >= ROLE_RANK[required];
}

/** Whether a principal may act with `scope`: keys by their scopes (admin covers all), users by role. */
export function hasScope(principal: Principal, scope: ApiKeyScope): boolean {
  if (principal.kind === 'user') return ROLE_RANK[principal.role] >= ROLE_RANK[SCOPE_ROLE[scope]];
  return principal.scopes.includes(scope) || principal.scopes.includes('admin');
}

/** What a route asks of its caller, read from its decorators and its controller's. */
export interface RouteAccess {
  public: boolean;
  /** Whether @RequireRole or @RequireScope says so; otherwise the default (viewer) applies. */
  explicit: boolean;
  /** Set when the route is guarded by role. */
  role: UserRole | null;
  /** Set when the route is guarded by API key scope (any of them). */
  scopes: readonly ApiKeyScope[] | null;
  sourceRestriction: SourceRestrictionMode | null;
}

type Target = object;

/** The one reading of the access decorators: used by the guard, the limits and the route proof. */
export function routeAccess(
  reflector: Reflector,
  handler: Target,
  controller: Target,
): RouteAccess {
  const at = (target: Target) => ({
    role: reflector.get<UserRole | undefined>(REQUIRED_ROLE, target as never) ?? null,
    scopes: reflector.get<ApiKeyScope[] | undefined>(REQUIRED_SCOPES, target as never) ?? null,
  });
  const onMethod = at(handler);
  const onClass = at(controller);
  // The method's own requirement wins over its controller's; scope over role at the same level.
  const chosen = onMethod.role || onMethod.scopes ? onMethod : onClass;
  const explicit = Boolean(chosen.role || chosen.scopes);
  return {
    public:
      reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler as never, controller as never]) ??
      false,
    explicit,
    role: chosen.scopes ? null : (chosen.role ?? 'viewer'),
    scopes: chosen.scopes,
    sourceRestriction:
      reflector.getAllAndOverride<SourceRestrictionMode | undefined>(SOURCE_RESTRICTION, [
        handler as never,
        controller as never,
      ]) ?? null,
  };
}

/** Whether a principal may call a route with these requirements (source restriction aside). */
export function accessAllows(principal: Principal, access: RouteAccess): boolean {
  if (access.scopes) return access.scopes.some((scope) => hasScope(principal, scope));
  return hasRole(principal, access.role ?? 'viewer');
}

/** Ingest routes get the ingest body limit and their own, higher rate limit. */
export function isIngestRoute(access: RouteAccess): boolean {
  return access.scopes?.includes('ingest') ?? false;
}

function refusal(access: RouteAccess): string {
  if (!access.scopes) return `This needs the ${access.role ?? 'viewer'} role`;
  const roles = [...new Set(access.scopes.map((scope) => SCOPE_ROLE[scope]))].sort(
    (a, b) => ROLE_RANK[a] - ROLE_RANK[b],
  );
  return (
    `This needs an API key with the ${access.scopes.join(' or ')} scope, ` +
    `or a user with the ${roles[0]} role`
  );
}

interface GuardedRequest {
  user?: Principal;
  query?: Record<string, unknown>;
}

/**
 * Global guard after authentication: enforces @RequireRole / @RequireScope (viewer when a route
 * says nothing), and keeps source-restricted API keys to their source.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const access = routeAccess(this.reflector, context.getHandler(), context.getClass());
    if (access.public) return true;
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const principal = request.user;
    if (!principal) return true; // authentication is ApiAuthGuard's job, and it ran first
    if (!accessAllows(principal, access)) throw new ForbiddenException(refusal(access));
    if (principal.kind === 'api-key' && principal.source !== null) {
      keepToSource(request, principal.source, access.sourceRestriction);
    }
    return true;
  }
}

function keepToSource(
  request: GuardedRequest,
  source: string,
  mode: SourceRestrictionMode | null,
): void {
  if (mode === 'no-log-data') return;
  if (mode === 'source-param') {
    const query = (request.query ??= {});
    const given = query.source;
    const values = given === undefined || given === '' ? [] : [given].flat();
    if (values.every((value) => value === source)) {
      query.source = source;
      return;
    }
    throw new ForbiddenException(
      `This API key may only use source "${source}" (got source=${JSON.stringify(given)})`,
    );
  }
  throw new ForbiddenException(
    `This API key is restricted to source "${source}" and cannot use this route`,
  );
}
