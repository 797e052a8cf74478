import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';

/** The key of the Fastify route config (set with @RouteConfig) that marks a compatibility route. */
export const COMPAT_ROUTE_CONFIG = 'lookoutCompat';

export interface CompatRouteConfig {
  /**
   * The body is NDJSON whatever the shipper calls it: Filebeat and Logstash send `_bulk` bodies as
   * `application/json`, which the api's JSON parser would refuse as one broken document.
   */
  ndjsonBody?: boolean;
  /** The Loki push route: a protobuf body gets a 415 that says how to switch the client to JSON. */
  lokiPush?: boolean;
}

const PROTOBUF_TYPES = ['application/x-protobuf', 'application/protobuf'];

/**
 * What the shipper-compatibility routes need from Fastify, to call once after the body parsers:
 *
 * - On `_bulk`, a JSON (or missing) content type is read as NDJSON. The swap happens in an
 *   `onRequest` hook, before Fastify picks a body parser, and only on routes marked with
 *   `@RouteConfig({ lookoutCompat: { ndjsonBody: true } })`; the `application/x-ndjson` parser then
 *   decodes gzip/deflate and enforces the body limit as on /api/v1/ingest.
 * - On compatibility routes, `Authorization: Basic <user:lk_…>` and `ApiKey <base64(id:lk_…)>` (what
 *   Fluent Bit, Filebeat, Logstash and Vector can send) are handed to the API key guard as
 *   `X-API-Key`. The guard still checks the key; nothing else is trusted.
 * - Protobuf bodies (Promtail's and Alloy's Loki pushes) are answered 415 with what to do instead.
 */
export function registerCompatHttp(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const config = compatConfig(request);
    if (config) {
      const headers = request.raw.headers;
      if (config.ndjsonBody) {
        const mediaType = mediaTypeOf(headers);
        if (mediaType === '' || mediaType === 'application/json') {
          headers['content-type'] = 'application/x-ndjson';
        }
      }
      apiKeyFromShipperAuthorization(headers);
    }
    done();
  });

  fastify.addContentTypeParser(PROTOBUF_TYPES, (request, payload, done) => {
    payload.resume(); // drain the body: the answer does not depend on it
    const message = compatConfig(request)?.lokiPush
      ? 'Lookout accepts Loki pushes as JSON only (Content-Type: application/json, optionally gzip). ' +
        'Promtail and Grafana Alloy always send protobuf+snappy: ship with Fluent Bit (loki output), ' +
        'Vector (loki sink with compression = "gzip" or "none") or Telegraf instead, or use ' +
        '/api/v1/compat/es/_bulk or /api/v1/ingest. See docs/shippers.md.'
      : `Content-Type "${mediaTypeOf(request.headers)}" is not accepted here`;
    done(Object.assign(new Error(message), { statusCode: 415 }), undefined);
  });
}

function compatConfig(request: FastifyRequest): CompatRouteConfig | undefined {
  const config = request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
  return config?.[COMPAT_ROUTE_CONFIG] as CompatRouteConfig | undefined;
}

function mediaTypeOf(headers: IncomingHttpHeaders): string {
  return String(headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

/**
 * `Basic base64(user:lk_…)`, `ApiKey base64(id:lk_…)` or `ApiKey lk_…` → `X-API-Key: lk_…`, unless
 * the request already has an X-API-Key. Anything else is left for the guard to judge.
 */
export function apiKeyFromShipperAuthorization(headers: IncomingHttpHeaders): void {
  if (headers['x-api-key'] !== undefined) return;
  const match = /^(basic|apikey)\s+(\S+)$/i.exec(String(headers.authorization ?? ''));
  if (!match) return;
  let key = match[2];
  if (!key.startsWith('lk_')) {
    const decoded = Buffer.from(key, 'base64').toString('utf8');
    key = decoded.slice(decoded.indexOf(':') + 1);
  }
  if (/^lk_[A-Za-z0-9]+$/.test(key)) headers['x-api-key'] = key;
}
