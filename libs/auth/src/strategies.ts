import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { IncomingHttpHeaders } from 'node:http';
import { Strategy as PassportBaseStrategy } from 'passport-strategy';
import { ExtractJwt, Strategy as JwtPassportStrategy } from 'passport-jwt';
import { AuthService } from './auth.service';
import { JwtSecret } from './jwt-secret';
import type { AccessTokenClaims, Principal } from './principal';
import { API_KEY_PREFIX } from './secrets';

/** Access tokens from `Authorization: Bearer <jwt>`. */
@Injectable()
export class JwtStrategy extends PassportStrategy(JwtPassportStrategy, 'jwt') {
  constructor(
    private readonly auth: AuthService,
    secret: JwtSecret,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: secret.value,
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<Principal | false> {
    return (await this.auth.principalForToken(claims)) ?? false;
  }
}

/** The API key from `X-API-Key`, or `Authorization: Bearer lk_…`. */
export function apiKeyFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  const authorization = headers.authorization;
  const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  return match && match[1].startsWith(API_KEY_PREFIX) ? match[1] : undefined;
}

type VerifyDone = (error: unknown, principal?: Principal | false) => void;

/** A passport strategy that reads an API key from the headers and hands it to `verify`. */
class HeaderApiKeyStrategy extends PassportBaseStrategy {
  name = 'api-key';

  constructor(private readonly verify: (key: string, done: VerifyDone) => void) {
    super();
  }

  override authenticate(request: { headers: IncomingHttpHeaders }): void {
    const key = apiKeyFromHeaders(request.headers);
    if (!key) return this.fail(401);
    this.verify(key, (error, principal) => {
      if (error) return this.error(error as Error);
      return principal ? this.success(principal) : this.fail(401);
    });
  }
}

@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderApiKeyStrategy, 'api-key') {
  constructor(private readonly auth: AuthService) {
    super();
  }

  async validate(key: string): Promise<Principal | false> {
    return (await this.auth.principalForApiKey(key)) ?? false;
  }
}
