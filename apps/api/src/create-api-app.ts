import helmet from '@fastify/helmet';
import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { isIngestRoute, RouteCatalog, SECURITY_SETTINGS, type SecuritySettings } from '@app/auth';
import {
  LOOKOUT_CONFIG,
  loadConfig,
  loggerOptions,
  useStructuredLogs,
  type LookoutConfig,
} from '@app/config';
import { registerBodyParsers, registerCompatHttp, registerUploadMultipart } from '@app/ingestion';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApiModule } from './app.module';
import { JsonErrorFilter } from './json-error.filter';

/**
 * Builds the api (not yet listening): Fastify, security headers, CORS, body parsers and limits,
 * validation, JSON errors, Swagger at /docs and the dashboard at /. Used by main.ts and by the
 * end-to-end tests.
 */
export async function createApiApp(
  env?: Record<string, string | undefined>,
): Promise<NestFastifyApplication> {
  const settings = loadConfig(env ?? process.env); // fails fast, before any connection is made
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(env),
    new FastifyAdapter({
      bodyLimit: settings.ingestMaxBodyBytes,
      // X-Forwarded-For only from TRUST_PROXY (default: a proxy on this machine): trusting anyone
      // would let a client pick its address, and with it its rate-limit and lockout buckets.
      trustProxy: settings.trustProxy,
    }),
    { bodyParser: false, ...loggerOptions(settings) },
  );
  useStructuredLogs(app, settings);
  const config = app.get<LookoutConfig>(LOOKOUT_CONFIG);
  const fastify = app.getHttpAdapter().getInstance();
  limitBodies(fastify, app.get(RouteCatalog), config, app.get<SecuritySettings>(SECURITY_SETTINGS));
  await app.register(helmet, {
    contentSecurityPolicy: { directives: cspDirectives(config) },
    // Behind TLS the browser keeps to HTTPS for this host (not its subdomains: not ours to decide).
    hsts: { maxAge: 365 * 24 * 3600, includeSubDomains: false },
  });
  // Without CORS_ORIGINS no CORS header is sent: browsers then allow same-origin calls only.
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Content-Encoding', 'X-API-Key'],
      exposedHeaders: ['Retry-After'],
      maxAge: 600,
    });
  }
  registerBodyParsers(fastify, config.ingestMaxBodyBytes);
  registerCompatHttp(fastify);
  registerUploadMultipart(fastify, config);

  app.useGlobalPipes(
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: false,
    }),
  );
  app.useGlobalFilters(new JsonErrorFilter());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Lookout API')
      .setDescription(
        'Log ingestion, search and alerting. Authenticate with a user access token or an API key.',
      )
      .setVersion('0.1.0')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        description: 'Access token from /api/v1/auth/login, or an API key',
      })
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  serveDashboard(app, config);
  return app;
}

/**
 * Every route gets a body limit: ingest routes (those that need the ingest scope) keep
 * INGEST_MAX_BODY_BYTES, all others take the small JSON limit. Set as each route is registered,
 * which happens at init, after this.
 */
function limitBodies(
  fastify: FastifyInstance,
  catalog: RouteCatalog,
  config: LookoutConfig,
  settings: SecuritySettings,
): void {
  fastify.addHook('onRoute', (route) => {
    if (route.bodyLimit !== undefined) return;
    const ingest = [route.method].flat().some((method) => {
      const entry = catalog.find(String(method), route.url);
      return entry !== undefined && isIngestRoute(entry.access);
    });
    route.bodyLimit = ingest ? config.ingestMaxBodyBytes : settings.jsonBodyMaxBytes;
  });
}

/**
 * The dashboard's policy: its own scripts only (no inline script, no eval), styles from itself
 * plus inline style attributes (Swagger UI and chart libraries set them), data: images (the
 * favicon), API and live-tail WebSocket on the same origin. Nothing may frame it.
 */
function cspDirectives(config: LookoutConfig): Record<string, string[] | null> {
  const connect = ["'self'"];
  if (config.publicUrl) {
    // Same-origin WebSocket for browsers that do not count ws(s):// as 'self'.
    const url = new URL(config.publicUrl);
    connect.push(`${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`);
  }
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: connect,
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    // Not helmet's default here: on a plain-HTTP install it would break every asset request.
    upgradeInsecureRequests: null,
  };
}

function serveDashboard(app: NestFastifyApplication, config: LookoutConfig): void {
  const root = resolve(config.frontendDir ?? 'dist/frontend');
  if (existsSync(resolve(root, 'index.html'))) {
    app.useStaticAssets({ root, prefix: '/', index: ['index.html'], wildcard: false });
    return;
  }
  new Logger('Dashboard').warn(
    `No built dashboard in ${root}; run "npm run build" to serve it at /`,
  );
  app
    .getHttpAdapter()
    .getInstance()
    .get('/', (_request, reply) => {
      void reply
        .type('text/plain')
        .send('Lookout api is running. The dashboard is not built: run "npm run build".\n');
    });
}
