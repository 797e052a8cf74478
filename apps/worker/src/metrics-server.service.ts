import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { Registry, collectDefaultMetrics, register as globalRegistry } from 'prom-client';

/**
 * A worker serves the metrics named with this prefix and nothing else from prom-client's global
 * registry. The rest of that registry, loaded with the libs, is the api's view: queue depth, and
 * counters every worker adds to in Redis that the api sums at scrape time. Read here they would be
 * zeros (nothing points them at Redis) or, if pointed, the same sums again, counted twice by sum().
 */
export const WORKER_METRIC_PREFIX = 'lookout_worker_';

let processMetrics: Registry | undefined;

/** CPU, memory, event loop and GC of this process; started once, and only when served. */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix: WORKER_METRIC_PREFIX });
  }
  return processMetrics;
}

/** This worker's metrics in the Prometheus text format. */
export async function renderWorkerMetrics(): Promise<{ contentType: string; body: string }> {
  const own = new Registry();
  for (const { name } of globalRegistry.getMetricsAsArray()) {
    const metric = globalRegistry.getSingleMetric(name);
    if (metric && name.startsWith(WORKER_METRIC_PREFIX)) own.registerMetric(metric);
  }
  const merged = Registry.merge([processRegistry(), own]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}

/**
 * The worker's only HTTP: `GET /metrics` (Prometheus) and `GET /health/live`, on
 * WORKER_METRICS_PORT (0: none). A port already taken (several workers on one host) costs this
 * worker its endpoint, with one warning, never its work.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server: Server | undefined;

  constructor(@Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig) {}

  /** The port listened on; undefined when the endpoint is off or could not listen. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { workerMetricsPort: port, host } = this.config;
    if (port === 0) return;
    const server = createServer((request, response) => void this.handle(request, response));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.logger.warn(
        `WORKER_METRICS_PORT=${port}: cannot listen on ${host}:${port} (${code}); this worker ` +
          'goes on without /metrics. Give each worker on a host its own port, or 0 for none.',
      );
      return;
    }
    server.on('error', (error) => this.logger.warn(`Metrics endpoint: ${error.message}`));
    this.server = server;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // Prometheus keeps its connection open between scrapes: close it rather than wait for it.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://worker').pathname;
    const routes: Record<string, () => Promise<{ contentType: string; body: string }>> = {
      '/metrics': renderWorkerMetrics,
      '/health/live': async () => ({
        contentType: 'application/json',
        body: JSON.stringify({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) }),
      }),
    };
    const route = routes[path];
    if (!route) return reply(response, 404, 'Not Found', `No route ${path} on the worker`);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return reply(response, 405, 'Method Not Allowed', `${path} answers GET only`);
    }
    try {
      const { contentType, body } = await route();
      response.writeHead(200, { 'Content-Type': contentType });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      this.logger.warn(`Could not render ${path}: ${(error as Error).message}`);
      reply(response, 500, 'Internal Server Error', `Could not render ${path}`);
    }
  }
}

/** Errors in the house shape, as the api answers them. */
function reply(response: ServerResponse, statusCode: number, error: string, message: string): void {
  response.writeHead(statusCode, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify({ statusCode, error, message }));
}
