import { Logger } from '@nestjs/common';
import { nestLogLevels, type LookoutConfig } from '@app/config';
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type RegistryContentType } from 'prom-client';
import { prepareDatabase } from './prepare-database';

/** What an api process tells the primary once it accepts requests. */
export interface ApiListeningMessage {
  type: 'lookout:api-listening';
  port: number;
}

/** An api process asks the primary for the metrics of every api process, summed. */
export interface ClusterMetricsRequest {
  type: 'lookout:metrics-request';
  id: number;
}

export interface ClusterMetricsReply {
  type: 'lookout:metrics-reply';
  id: number;
  text?: string;
  error?: string;
}

/** A process that dies before it listens, or this soon after, counts as a failed start. */
const QUICK_DEATH_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** On SIGTERM every api process gets this long to finish before it is killed. */
const SHUTDOWN_GRACE_MS = 15_000;

interface Slot {
  index: number;
  worker: Worker;
  /** When it started to accept requests. */
  listenedAt?: number;
  /** Failed starts in a row, for the restart back-off. */
  quickDeaths: number;
}

/**
 * When to replace a process that died: at once after a good run; after 1 s, 2 s, 4 s … 30 s while
 * its replacements keep dying before or soon after they listen (a crash loop must not spin).
 */
export function restartPlan(
  slot: Pick<Slot, 'listenedAt' | 'quickDeaths'>,
  now: number,
): { delayMs: number; quickDeaths: number } {
  const quick = slot.listenedAt === undefined || now - slot.listenedAt < QUICK_DEATH_MS;
  if (!quick) return { delayMs: 0, quickDeaths: 0 };
  const quickDeaths = slot.quickDeaths + 1;
  return { delayMs: Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** (quickDeaths - 1)), quickDeaths };
}

/**
 * The primary of `API_PROCESSES=N`: forks N api processes that share PORT (and the syslog ports)
 * through Node's cluster module, which hands each new TCP connection to the next process in turn.
 * It creates and migrates the database first, then serves nothing itself. An api process that
 * dies is replaced (see restartPlan); one that dies before all of them were up the first time
 * stops the whole start, as a single api would. SIGTERM/SIGINT stop every process gracefully. It
 * also answers the api processes' requests for cluster-wide metrics, so that /metrics is the same
 * whichever process a scrape reaches.
 */
export async function runApiCluster(config: LookoutConfig): Promise<void> {
  const log = clusterLogger(config);
  // Once here rather than N times at once: N processes would race to create the database and
  // queue on the migration lock.
  await prepareDatabase(config);
  const count = config.apiProcesses;
  const slots = new Map<number, Slot>(); // by cluster worker id
  const ready = new Set<number>(); // slot indexes that have listened at least once
  let allUp = false;
  let stopping = false;
  const metrics = new AggregatorRegistry();

  const start = (index: number, quickDeaths = 0) => {
    const worker = cluster.fork();
    slots.set(worker.id, { index, worker, quickDeaths });
    worker.on('message', (message: unknown) => {
      if (isMessage<ApiListeningMessage>(message, 'lookout:api-listening')) {
        const slot = slots.get(worker.id);
        if (slot) slot.listenedAt = Date.now();
        onListening(index, worker, message.port);
      } else if (isMessage<ClusterMetricsRequest>(message, 'lookout:metrics-request')) {
        metrics.clusterMetrics().then(
          (text) => reply(worker, { type: 'lookout:metrics-reply', id: message.id, text }),
          (error: Error) =>
            reply(worker, { type: 'lookout:metrics-reply', id: message.id, error: error.message }),
        );
      }
    });
  };

  const onListening = (index: number, worker: Worker, port: number) => {
    ready.add(index);
    if (allUp) {
      log.log(`api process ${index} is back (pid ${worker.process.pid})`);
      return;
    }
    if (ready.size < count) return;
    allUp = true;
    const base = `http://localhost:${port}`;
    log.log(
      `api listening with ${count} processes: dashboard ${base}/  API ${base}/api/v1  Swagger ${base}/docs`,
      { port, pids: [...slots.values()].map((slot) => slot.worker.process.pid) },
    );
  };

  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker.id);
    slots.delete(worker.id);
    if (!slot || stopping) return;
    const how = signal ?? `code ${code}`;
    if (!allUp) {
      log.error(`api process ${slot.index} exited while starting (${how}); stopping`);
      stop(1);
      return;
    }
    const { delayMs, quickDeaths } = restartPlan(slot, Date.now());
    log.warn(
      `api process ${slot.index} (pid ${worker.process.pid}) exited (${how}); starting a new one` +
        (delayMs > 0 ? ` in ${delayMs / 1000} s` : ''),
    );
    setTimeout(() => {
      if (!stopping) start(slot.index, quickDeaths);
    }, delayMs);
  });

  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const running = [...slots.values()].map((slot) => slot.worker);
    log.log(`stopping ${running.length} api processes`);
    for (const worker of running) worker.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const worker of running) {
        if (!worker.isDead()) {
          log.warn(`api process pid ${worker.process.pid} did not stop in time; killing it`);
          worker.process.kill('SIGKILL');
        }
      }
    }, SHUTDOWN_GRACE_MS);
    void Promise.all(
      running.map(
        (worker) => worker.isDead() || new Promise((resolve) => worker.once('exit', resolve)),
      ),
    ).then(() => {
      clearTimeout(timer);
      process.exit(exitCode);
    });
  };

  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  log.log(`starting ${count} api processes on port ${config.port}`);
  for (let index = 1; index <= count; index++) start(index);
}

/**
 * In an api process forked by the primary: the /metrics text of all api processes (counters and
 * histograms summed, gauges aggregated as each declares). Outside a cluster: undefined. Waits a
 * little longer than the primary does for its processes (5 s), so that its error comes first.
 */
export function clusterMetrics(timeoutMs = 6000): Promise<string> | undefined {
  if (!cluster.isWorker || !process.send) return undefined;
  ensureMetricsResponder();
  const id = nextMetricsRequest++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the api primary did not answer with metrics'));
    }, timeoutMs);
    const onMessage = (message: unknown) => {
      if (!isMessage<ClusterMetricsReply>(message, 'lookout:metrics-reply') || message.id !== id)
        return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (message.text !== undefined) resolve(message.text);
      else reject(new Error(message.error ?? 'no metrics'));
    };
    process.on('message', onMessage);
    process.send!({ type: 'lookout:metrics-request', id } satisfies ClusterMetricsRequest);
  });
}

let nextMetricsRequest = 1;
let metricsResponder: AggregatorRegistry<RegistryContentType> | undefined;

/** prom-client answers the primary's metric requests once an AggregatorRegistry exists here. */
export function ensureMetricsResponder(): void {
  if (cluster.isWorker) metricsResponder ??= new AggregatorRegistry();
}

/** In an api process forked by the primary: tells it this process accepts requests. */
export function announceListening(port: number): void {
  if (cluster.isWorker && process.send) {
    process.send({ type: 'lookout:api-listening', port } satisfies ApiListeningMessage);
  }
}

function reply(worker: Worker, message: ClusterMetricsReply): void {
  if (worker.isConnected()) worker.send(message);
}

function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as T).type === type;
}

interface ClusterLogger {
  log(message: string, extra?: Record<string, unknown>): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The primary has no Nest app: it writes the same lines as its processes do, pino-shaped JSON
 * objects (LOG_FORMAT=json) or Nest's console lines (text), at LOG_LEVEL.
 */
function clusterLogger(config: LookoutConfig): ClusterLogger {
  const enabled = new Set<string>(nestLogLevels(config.logLevel));
  const context = 'ApiCluster';
  if (config.logFormat === 'text') {
    const logger = new Logger(context);
    Logger.overrideLogger([...enabled] as ReturnType<typeof nestLogLevels>);
    return {
      log: (message) => logger.log(message),
      warn: (message) => logger.warn(message),
      error: (message) => logger.error(message),
    };
  }
  const write = (level: string, pinoLevel: number, msg: string, extra = {}) => {
    if (!enabled.has(level)) return;
    const line = { level: pinoLevel, time: Date.now(), app: 'api', pid: process.pid, context };
    process.stdout.write(`${JSON.stringify({ ...line, ...extra, msg })}\n`);
  };
  return {
    log: (message, extra) => write('log', 30, message, extra),
    warn: (message) => write('warn', 40, message),
    error: (message) => write('error', 50, message),
  };
}
