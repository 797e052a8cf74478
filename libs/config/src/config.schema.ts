import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The environment variables Lookout understands, their defaults and their checks.
 * This file and `loadConfig` are the only places that know about process.env.
 */

export interface LookoutConfig {
  /** HTTP port of the api (REST, WebSocket, Swagger, dashboard). */
  port: number;
  /**
   * Api processes serving PORT together (Node cluster: a primary forks them, restarts one that
   * dies, stops them all on SIGTERM). 1: the api runs in this process, no primary.
   */
  apiProcesses: number;
  /** Interface the api and syslog listeners bind to. */
  host: string;
  syslogPort: number;
  databaseUrl: string;
  redisUrl: string;
  /** Prefix of every Redis key and channel; lets several installations (or tests) share one Redis. */
  redisPrefix: string;
  /** Password of the `admin` user created at first start; generated and printed once when empty. */
  adminPassword: string | undefined;
  /** Secret that signs access tokens; when empty one is generated and kept in the database. */
  jwtSecret: string | undefined;
  /** Lifetime of an access token in seconds. */
  jwtTtlSeconds: number;
  /** Largest accepted request body on ingest, compressed or not (413 above it). */
  ingestMaxBodyBytes: number;
  /** A longer line is cut to this many characters and flagged. */
  maxLineLength: number;
  /** A batch (one queue job) is flushed when it holds this many lines... */
  batchMaxLines: number;
  /** ...or when its oldest line has waited this long. */
  batchFlushMs: number;
  /** How many batches one worker process parses and stores at once. */
  workerConcurrency: number;
  /** Port of a worker's own Prometheus endpoint (`/metrics`, `/health/live`); 0: none. */
  workerMetricsPort: number;
  /** Daily partitions kept ready behind and ahead of today. */
  partitionDaysBack: number;
  partitionDaysAhead: number;
  /** Above this many queued lines, sources push back: HTTP 429, TCP stops reading, file tail pauses. */
  queueHighWaterLines: number;
  /** Largest syslog message; longer ones are cut and flagged. */
  syslogMaxMessageBytes: number;
  /** Kernel receive buffer asked for the syslog UDP socket. */
  syslogUdpReceiveBufferBytes: number;
  /** Optional syslog over TLS (RFC 5425): port, certificate and key paths (PEM). */
  syslogTlsPort: number | undefined;
  syslogTlsCertPath: string | undefined;
  syslogTlsKeyPath: string | undefined;
  /** Where uploaded files wait while they are parsed. */
  uploadDir: string;
  /** Largest accepted upload (compressed size for .gz). */
  uploadMaxBytes: number;
  /** Directory of the built dashboard served at `/`. */
  frontendDir: string | undefined;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  /** `json`: one JSON object per line (pino), for log shippers; `text`: Nest's coloured console lines. */
  logFormat: 'json' | 'text';
  /** Public address of the dashboard, used for links in notifications. */
  publicUrl: string;
  /** Default SMTP server (`smtp://user:pass@host:587`, `smtps://…`) for email channels without their own. */
  smtpUrl: string | undefined;
  /** Sender address of notification mail. */
  smtpFrom: string;
  /** Recipients used when no recipient is active in the database and a rule names none. */
  notifyDefaultRecipients: string[];
  /** Webhook targets allowed even in private ranges (host names, IPs or CIDRs, comma-separated). */
  webhookAllow: string[];
  /** Webhook targets always refused (host names, IPs or CIDRs). */
  webhookDeny: string[];
  /** Attempts per delivery before it is dead-lettered. */
  notifyMaxAttempts: number;
  /** Where partitions are archived before retention drops them (compressed NDJSON + manifest). */
  archiveDir: string;
  /** Allowed browser origins for the API (comma-separated); empty: same origin only. */
  corsOrigins: string[];
  /** Lifetime of a refresh token; each refresh issues a new one. */
  refreshTokenTtlSeconds: number;
  /** A sign-in session can be refreshed for at most this long. */
  sessionMaxAgeSeconds: number;
  /** Failed sign-ins within the lockout window that lock a username / a client address. */
  loginMaxFailuresPerUser: number;
  loginMaxFailuresPerIp: number;
  /** How long a lock lasts (and the window failures are counted in). */
  loginLockoutSeconds: number;
  /** Request rate limits per client address and per credential, per window. */
  rateLimitWindowSeconds: number;
  rateLimitApi: number;
  rateLimitIngest: number;
  /** Largest body of a non-ingest route. */
  jsonBodyMaxBytes: number;
  /**
   * Which proxies may set X-Forwarded-For (Fastify trustProxy): `loopback` (default), `true` for
   * any (only behind a load balancer that overwrites the header), or addresses/CIDRs, comma-separated.
   */
  trustProxy: string | boolean;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads one variable at a time and collects every problem, so a bad start names all of them. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return parsed;
  }

  optionalInt(name: string, min: number, max: number): number | undefined {
    return this.raw(name) === undefined ? undefined : this.int(name, min, min, max);
  }

  list(name: string): string[] {
    const value = this.raw(name);
    return value === undefined
      ? []
      : value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0);
  }

  url(name: string, fallback: string, protocols: string[]): string {
    const value = this.raw(name) ?? fallback;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must be a ${protocols.join(' or ')}// URL (got "${value}")`);
      }
    } catch {
      this.problems.push(`${name} is not a valid URL (got "${value}")`);
    }
    return value;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  }
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/lookout';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Validates the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): LookoutConfig {
  const read = new EnvReader(env);
  const config: LookoutConfig = {
    port: read.int('PORT', 8080, 0, 65535), // 0: any free port (tests)
    apiProcesses: read.int('API_PROCESSES', 1, 1, 64),
    host: read.string('HOST', '0.0.0.0'),
    syslogPort: read.int('SYSLOG_PORT', 5514, 0, 65535),
    databaseUrl: read.url('DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres:', 'postgresql:']),
    redisUrl: read.url('REDIS_URL', DEFAULT_REDIS_URL, ['redis:', 'rediss:']),
    redisPrefix: read.string('REDIS_PREFIX', 'lookout'),
    adminPassword: read.optionalString('ADMIN_PASSWORD'),
    jwtSecret: read.optionalString('JWT_SECRET'),
    // Short-lived: the dashboard refreshes it with the refresh token; logout revokes at once.
    jwtTtlSeconds: read.int('JWT_TTL_SECONDS', 900, 60, 30 * 24 * 3600),
    ingestMaxBodyBytes: read.int('INGEST_MAX_BODY_BYTES', 16 * 1024 * 1024, 1024, 1024 ** 3),
    maxLineLength: read.int('MAX_LINE_LENGTH', 64 * 1024, 256, 16 * 1024 * 1024),
    batchMaxLines: read.int('BATCH_MAX_LINES', 5000, 1, 100_000),
    batchFlushMs: read.int('BATCH_FLUSH_MS', 25, 1, 60_000),
    workerConcurrency: read.int('WORKER_CONCURRENCY', 2, 1, 64),
    // Unlike PORT, 0 turns the endpoint off: a worker on a random port could not be scraped.
    workerMetricsPort: read.int('WORKER_METRICS_PORT', 9464, 0, 65535),
    partitionDaysBack: read.int('PARTITION_DAYS_BACK', 3, 0, 365),
    partitionDaysAhead: read.int('PARTITION_DAYS_AHEAD', 7, 1, 365),
    queueHighWaterLines: read.int('QUEUE_HIGH_WATER_LINES', 1_000_000, 1000, 1_000_000_000),
    syslogMaxMessageBytes: read.int('SYSLOG_MAX_MESSAGE_BYTES', 64 * 1024, 480, 16 * 1024 * 1024),
    syslogUdpReceiveBufferBytes: read.int(
      'SYSLOG_UDP_RECEIVE_BUFFER_BYTES',
      4 * 1024 * 1024,
      65536,
      1024 ** 3,
    ),
    syslogTlsPort: read.optionalInt('SYSLOG_TLS_PORT', 0, 65535),
    syslogTlsCertPath: read.optionalString('SYSLOG_TLS_CERT'),
    syslogTlsKeyPath: read.optionalString('SYSLOG_TLS_KEY'),
    uploadDir: read.string('UPLOAD_DIR', join(tmpdir(), 'lookout-uploads')),
    uploadMaxBytes: read.int('UPLOAD_MAX_BYTES', 1024 ** 3, 1024, 64 * 1024 ** 3),
    frontendDir: read.optionalString('FRONTEND_DIR'),
    logLevel: read.oneOf('LOG_LEVEL', 'log', ['error', 'warn', 'log', 'debug', 'verbose'] as const),
    logFormat: read.oneOf('LOG_FORMAT', 'json', ['json', 'text'] as const),
    publicUrl: read.url('PUBLIC_URL', `http://localhost:${env.PORT?.trim() || 8080}`, [
      'http:',
      'https:',
    ]),
    smtpUrl: read.optionalString('SMTP_URL'),
    smtpFrom: read.string('SMTP_FROM', 'Lookout <lookout@localhost>'),
    notifyDefaultRecipients: read.list('NOTIFY_DEFAULT_RECIPIENTS'),
    webhookAllow: read.list('WEBHOOK_ALLOW'),
    webhookDeny: read.list('WEBHOOK_DENY'),
    notifyMaxAttempts: read.int('NOTIFY_MAX_ATTEMPTS', 6, 1, 50),
    archiveDir: read.string('ARCHIVE_DIR', join(tmpdir(), 'lookout-archive')),
    corsOrigins: read.list('CORS_ORIGINS'),
    refreshTokenTtlSeconds: read.int('REFRESH_TOKEN_TTL_SECONDS', 7 * 86400, 60, 365 * 86400),
    sessionMaxAgeSeconds: read.int('SESSION_MAX_AGE_SECONDS', 30 * 86400, 60, 365 * 86400),
    loginMaxFailuresPerUser: read.int('LOGIN_MAX_FAILURES_PER_USER', 5, 1, 1000),
    loginMaxFailuresPerIp: read.int('LOGIN_MAX_FAILURES_PER_IP', 30, 1, 100_000),
    loginLockoutSeconds: read.int('LOGIN_LOCKOUT_SECONDS', 900, 1, 86400),
    rateLimitWindowSeconds: read.int('RATE_LIMIT_WINDOW_SECONDS', 60, 1, 3600),
    rateLimitApi: read.int('RATE_LIMIT_API', 12_000, 1, 100_000_000),
    rateLimitIngest: read.int('RATE_LIMIT_INGEST', 60_000, 1, 100_000_000),
    jsonBodyMaxBytes: read.int('JSON_BODY_MAX_BYTES', 1024 * 1024, 1024, 1024 ** 3),
    trustProxy: trustProxySetting(read.string('TRUST_PROXY', 'loopback')),
  };
  if (config.smtpUrl !== undefined && !/^smtps?:\/\//.test(config.smtpUrl)) {
    read.problems.push(`SMTP_URL must be an smtp:// or smtps:// URL (got "${config.smtpUrl}")`);
  }
  if (config.adminPassword !== undefined && config.adminPassword.length < 8) {
    read.problems.push('ADMIN_PASSWORD must be at least 8 characters long');
  }
  if (config.jwtSecret !== undefined && config.jwtSecret.length < 32) {
    read.problems.push('JWT_SECRET must be at least 32 characters long');
  }
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(config.redisPrefix)) {
    read.problems.push(
      `REDIS_PREFIX may hold only letters, digits, "_", "." and "-" (got "${config.redisPrefix}")`,
    );
  }
  if (
    config.syslogTlsPort !== undefined &&
    (!config.syslogTlsCertPath || !config.syslogTlsKeyPath)
  ) {
    read.problems.push(
      'SYSLOG_TLS_PORT needs SYSLOG_TLS_CERT and SYSLOG_TLS_KEY (paths of PEM files)',
    );
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

/** TRUST_PROXY as Fastify's trustProxy option: `true`/`false` or a list of addresses or names. */
function trustProxySetting(value: string): string | boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** The Nest logger levels to enable for a LOG_LEVEL (that level and everything more severe). */
export function nestLogLevels(level: LookoutConfig['logLevel']): LookoutConfig['logLevel'][] {
  const order = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
  return order.slice(0, order.indexOf(level) + 1);
}
