import type { LookoutConfig } from '@app/config';

/** Limits of sign-in, tokens, request rates and bodies. */
export interface SecuritySettings {
  /** Access-token lifetime (JWT_TTL_SECONDS). */
  accessTokenTtlSeconds: number;
  /** A refresh token is good for this long after it is issued (each refresh issues a new one). */
  refreshTokenTtlSeconds: number;
  /** A sign-in session can be refreshed for at most this long; then the user signs in again. */
  sessionMaxAgeSeconds: number;
  login: {
    /** Failed sign-ins for one username, within `windowSeconds`, that lock it. */
    maxFailuresPerUser: number;
    /** Failed sign-ins from one client address, within `windowSeconds`, that lock it. */
    maxFailuresPerIp: number;
    windowSeconds: number;
    lockoutSeconds: number;
  };
  rateLimit: {
    windowSeconds: number;
    /** Requests per window to non-ingest routes, per client address and per credential. */
    apiPerWindow: number;
    /** Requests per window to ingest routes, per client address and per credential. */
    ingestPerWindow: number;
  };
  /** Largest body of a non-ingest route (ingest routes take INGEST_MAX_BODY_BYTES). */
  jsonBodyMaxBytes: number;
}

export const SECURITY_SETTINGS = Symbol('SECURITY_SETTINGS');

export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
export const DEFAULT_SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600;
export const DEFAULT_JSON_BODY_MAX_BYTES = 1024 * 1024;

/**
 * The settings of this installation, from the environment (libs/config); the defaults are generous enough that benchmarks and busy dashboards are not
 * throttled (the ingest benchmark sends ~10 requests/s, its latency probe ~100 searches/s).
 */
export function securitySettings(config: LookoutConfig): SecuritySettings {
  return {
    accessTokenTtlSeconds: config.jwtTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds ?? DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
    sessionMaxAgeSeconds: config.sessionMaxAgeSeconds ?? DEFAULT_SESSION_MAX_AGE_SECONDS,
    login: {
      maxFailuresPerUser: config.loginMaxFailuresPerUser ?? 5,
      maxFailuresPerIp: config.loginMaxFailuresPerIp ?? 30,
      windowSeconds: config.loginLockoutSeconds ?? 900,
      lockoutSeconds: config.loginLockoutSeconds ?? 900,
    },
    rateLimit: {
      windowSeconds: config.rateLimitWindowSeconds ?? 60,
      apiPerWindow: config.rateLimitApi ?? 12_000,
      ingestPerWindow: config.rateLimitIngest ?? 60_000,
    },
    jsonBodyMaxBytes: config.jsonBodyMaxBytes ?? DEFAULT_JSON_BODY_MAX_BYTES,
  };
}
