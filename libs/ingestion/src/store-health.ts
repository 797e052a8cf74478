import type { LoggerService } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/**
 * SQLSTATE classes that mean "the database cannot take writes now", whatever the batch:
 * 08 connection lost or refused, 53 insufficient resources (53100 disk full), 57 operator
 * intervention (server shutting down, backend terminated), 58 system error (I/O).
 */
const UNAVAILABLE_CLASSES = ['08', '53', '57', '58'];
/** Single codes with the same meaning: a read-only database (failover, full disk made read-only)
 *  and writes refused by a revoked privilege. */
const UNAVAILABLE_CODES = new Set(['25006', '42501']);
/** Socket-level errors of a database connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** What node-postgres says when a connection drops or cannot be made (errors without a code). */
const NETWORK_MESSAGES =
  /connection terminated|terminating connection|timeout exceeded when trying to connect|connection error|not queryable|Connection is closed/i;

/**
 * Whether a failed write failed because storage is unavailable (retrying the same batch later will
 * work) rather than because of the batch itself (which retrying cannot fix).
 */
export function isStorageUnavailable(error: unknown): boolean {
  for (let current = error as ErrorLike | undefined, depth = 0; current && depth < 4; depth++) {
    const code = typeof current.code === 'string' ? current.code : undefined;
    if (code) {
      if (UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_CLASSES.includes(code.slice(0, 2))) return true;
    }
    if (typeof current.message === 'string' && NETWORK_MESSAGES.test(current.message)) return true;
    // TypeORM wraps driver errors; Node wraps with `cause`.
    current = (current.driverError ?? current.cause) as ErrorLike | undefined;
  }
  return false;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/** A write into `logs` that is rolled back: it fails exactly when a batch's COPY would. */
export async function probeLogWrite(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('BEGIN');
    await runner.query(
      `INSERT INTO logs (id, ts, received_at, level, source, message)
       VALUES (0, now(), now(), 7, '', 'lookout write probe')`,
    );
  } finally {
    await runner.query('ROLLBACK').catch(() => undefined);
    await runner.release().catch(() => undefined);
  }
}

export interface StoreHealthOptions {
  /** Resolves when storage takes writes again. */
  probe: () => Promise<void>;
  /** Stop taking jobs (jobs in progress finish on their own). */
  pause: () => Promise<void>;
  resume: () => Promise<void>;
  logger: Pick<LoggerService, 'warn' | 'log'>;
  /** First wait between probes; doubles up to maxDelayMs (with jitter). */
  minDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/**
 * The worker's view of storage. When a batch fails because the database cannot write (connection
 * lost, disk full, read-only), the worker stops taking jobs and probes with a growing backoff;
 * the queue keeps the batches meanwhile (and ingest pushes back at its high-water mark). The
 * first probe that writes resumes the worker. Failed batches go back to the queue without using
 * one of their attempts, so an outage of any length parks nothing in the failed set.
 */
export class StoreHealth {
  private down = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private since = 0;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;

  constructor(private readonly options: StoreHealthOptions) {
    this.minDelayMs = options.minDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  get isDown(): boolean {
    return this.down;
  }

  /** Delay before a batch that failed on storage is offered again. */
  get retryDelayMs(): number {
    return this.minDelayMs;
  }

  /** Wait before probe number `attempt` (1-based): exponential, capped, with jitter. */
  probeDelayMs(attempt: number): number {
    const exponential = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(exponential / 2 + (this.random() * exponential) / 2);
  }

  /** A batch failed because storage cannot write: pause (once) and probe until it can. */
  reportUnavailable(error: unknown): void {
    if (this.down || this.stopped) return;
    this.down = true;
    this.since = Date.now();
    this.options.logger.warn(
      `Storage cannot take writes (${(error as Error)?.message ?? error}): pausing this worker; ` +
        'the queue holds the batches until a probe write succeeds',
    );
    void this.recover();
  }

  /** Ends the probing (shutdown). */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async recover(): Promise<void> {
    await this.options.pause().catch(() => undefined);
    for (let attempt = 1; !this.stopped; attempt++) {
      await this.sleep(this.probeDelayMs(attempt));
      if (this.stopped) return;
      try {
        await this.options.probe();
      } catch {
        continue;
      }
      this.down = false;
      await this.options.resume();
      this.options.logger.log(
        `Storage takes writes again after ${((Date.now() - this.since) / 1000).toFixed(1)} s ` +
          `(${attempt} probes): worker resumed`,
      );
      return;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
