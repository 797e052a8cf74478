import multipart from '@fastify/multipart';
import type { LookoutConfig } from '@app/config';
import type { FastifyInstance } from 'fastify';

/**
 * Registers @fastify/multipart for POST /api/v1/uploads; call once after the body parsers. It adds
 * a `multipart/form-data` parser that leaves the body unread, so the file streams to UPLOAD_DIR
 * (never into memory) and the auth guard runs before a byte of it is read.
 */
export function registerUploadMultipart(
  fastify: FastifyInstance,
  config: Pick<LookoutConfig, 'uploadMaxBytes'>,
): void {
  void fastify.register(multipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: config.uploadMaxBytes, fields: 20, fieldSize: 64 * 1024, parts: 50 },
  });
}
