import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from './decorators';

/**
 * Global guard: every route needs an API key or an access token unless marked @Public().
 * Strategies are tried in order: API key first (cheap header check), then JWT.
 */
@Injectable()
export class ApiAuthGuard extends AuthGuard(['api-key', 'jwt']) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    // The live-tail WebSocket authenticates its handshake itself (libs/livetail).
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, principal: T | false): T {
    if (error) throw error;
    if (!principal) {
      throw new UnauthorizedException(
        'Missing or invalid credentials: send "Authorization: Bearer <access token or API key>" or "X-API-Key: <key>"',
      );
    }
    return principal;
  }
}
