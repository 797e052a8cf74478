import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { UserRole } from '@app/contracts';
import type { ApiKeyScope, Principal } from './principal';

export const IS_PUBLIC = 'lookout:isPublic';
export const REQUIRED_ROLE = 'lookout:requiredRole';
export const REQUIRED_SCOPES = 'lookout:requiredScopes';
export const SOURCE_RESTRICTION = 'lookout:sourceRestriction';

/**
 * The least role a route needs (viewer < editor < admin). API keys: a `read` key counts as a
 * viewer, an `admin` key as an admin; an `ingest`-only key holds no role. A route with neither
 * this nor @RequireScope needs viewer.
 */
export const RequireRole = (role: UserRole): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_ROLE, role);

/**
 * The API key scopes that may call a route (any one of them; `admin` always may). Users need the
 * role that goes with the scope: ingest → editor, read → viewer, admin → admin. Takes precedence
 * over @RequireRole at the same level (method over class).
 */
export const RequireScope = (
  ...scopes: [ApiKeyScope, ...ApiKeyScope[]]
): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_SCOPES, scopes);

/**
 * How a route keeps an API key restricted to one source to that source. Routes without this
 * refuse such keys (403).
 * - `source-param`: the route handles only lines of its `?source=` parameter; for a restricted
 *   key the parameter is set to the key's source, and any other value is refused.
 * - `no-log-data`: the route reveals no log data (a shipper's startup probe).
 */
export type SourceRestrictionMode = 'source-param' | 'no-log-data';
export const AllowSourceRestrictedKeys = (
  mode: SourceRestrictionMode,
): MethodDecorator & ClassDecorator => SetMetadata(SOURCE_RESTRICTION, mode);

/** Marks a route that needs no credentials (login, health, metrics, the dashboard). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The authenticated principal of the request. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest().user,
);
