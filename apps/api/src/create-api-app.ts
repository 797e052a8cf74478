import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { LOOKOUT_CONFIG, loadConfig, nestLogLevels, type LookoutConfig } from '@app/config';
import { registerBodyParsers, registerCompatHttp, registerUploadMultipart } from '@app/ingestion';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApiModule } from './app.module';
import { JsonErrorFilter } from './json-error.filter';

/**
 * Builds the api (not yet listening): Fastify, body parsers, validation, JSON errors, Swagger at
 * /docs and the dashboard at /. Used by main.ts and by the end-to-end tests.
 */
export async function createApiApp(
  env?: Record<string, string | undefined>,
): Promise<NestFastifyApplication> {
  const settings = loadConfig(env ?? process.env); // fails fast, before any connection is made
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(env),
    new FastifyAdapter({ bodyLimit: settings.ingestMaxBodyBytes, trustProxy: true }),
    { bodyParser: false, logger: nestLogLevels(settings.logLevel) },
  );
  const config = app.get<LookoutConfig>(LOOKOUT_CONFIG);
  const fastify = app.getHttpAdapter().getInstance();
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
