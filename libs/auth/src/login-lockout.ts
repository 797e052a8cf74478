import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { RedisService } from '@app/queue';
import { SECURITY_SETTINGS, type SecuritySettings } from './security-settings';

/** 429 with Retry-After (the JSON error filter turns `retryAfterSeconds` into the header). */
export class LoginLockedException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'Too Many Requests',
        message: `Too many failed sign-ins: try again in ${retryAfterSeconds} s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

// Counts a failure; past the threshold, sets the lock and clears the count. Returns 1 when locked.
const RECORD_FAILURE = `
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if failures >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

/**
 * Sign-in lockout, per username and per client address, kept in Redis (shared by every api
 * process). A locked username or address is refused before its password is even checked, so
 * guessing cannot go on during the lockout; a successful sign-in clears the username's count.
 */
@Injectable()
export class LoginLockout {
  constructor(
    private readonly redis: RedisService,
    @Inject(SECURITY_SETTINGS) private readonly settings: SecuritySettings,
  ) {}

  /** @throws LoginLockedException while the username or the address is locked */
  async assertNotLocked(username: string, ip: string): Promise<void> {
    const ttls = await Promise.all([
      this.redis.client.ttl(this.lockKey('user', username)),
      this.redis.client.ttl(this.lockKey('ip', ip)),
    ]);
    const remaining = Math.max(...ttls);
    if (remaining > 0) throw new LoginLockedException(remaining);
  }

  /** Counts a failed sign-in; @throws LoginLockedException when this failure locks. */
  async recordFailure(username: string, ip: string): Promise<void> {
    const { login } = this.settings;
    const locked = await Promise.all([
      this.record('user', username, login.maxFailuresPerUser),
      this.record('ip', ip, login.maxFailuresPerIp),
    ]);
    if (locked.some(Boolean)) throw new LoginLockedException(login.lockoutSeconds);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.redis.client.del(this.failuresKey('user', username));
  }

  /** Lifts a username's lock and count (an admin reset its password). */
  async unlock(username: string): Promise<void> {
    await this.redis.client.del(this.failuresKey('user', username), this.lockKey('user', username));
  }

  private async record(kind: 'user' | 'ip', id: string, max: number): Promise<boolean> {
    const { login } = this.settings;
    const locked = await this.redis.client.eval(
      RECORD_FAILURE,
      2,
      this.failuresKey(kind, id),
      this.lockKey(kind, id),
      login.windowSeconds,
      max,
      login.lockoutSeconds,
    );
    return locked === 1;
  }

  private failuresKey(kind: 'user' | 'ip', id: string): string {
    return this.redis.key(`login-failures:${kind}:${bucket(kind, id)}`);
  }

  private lockKey(kind: 'user' | 'ip', id: string): string {
    return this.redis.key(`login-lock:${kind}:${bucket(kind, id)}`);
  }
}

/** An IPv6 client usually holds a whole /64: its addresses count as one. */
function bucket(kind: 'user' | 'ip', id: string): string {
  return kind === 'ip' ? normalizeIp(id) : id;
}
