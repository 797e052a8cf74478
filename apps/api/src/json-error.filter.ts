import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';

/**
 * Every error leaves as JSON `{statusCode, error, message}` (plus any details the thrower added).
 * Unknown errors are logged and answered 500 without leaking internals.
 */
@Catch()
export class JsonErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let statusCode: number;
    let body: Record<string, unknown>;
    if (exception instanceof HttpException) {
      statusCode = exception.getStatus();
      const response = exception.getResponse();
      body =
        typeof response === 'string'
          ? { message: response }
          : { ...(response as Record<string, unknown>) };
    } else if (isClientError(exception)) {
      // Errors that carry their own 4xx (body parsers, fastify limits).
      statusCode = exception.statusCode;
      body = { message: exception.message };
    } else {
      statusCode = HttpStatus.INTERNAL_SERVER_ERROR;
      body = { message: 'Internal server error' };
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    const retryAfter = (exception as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retryAfter === 'number') void reply.header('Retry-After', String(retryAfter));
    body.statusCode = statusCode;
    body.error =
      typeof body.error === 'string' ? body.error : (STATUS_CODES[statusCode] ?? 'Error');
    void reply.status(statusCode).send(body);
  }
}

function isClientError(error: unknown): error is { statusCode: number; message: string } {
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}
