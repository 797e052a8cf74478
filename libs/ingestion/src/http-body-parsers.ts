import type { FastifyInstance, FastifyRequest } from 'fastify';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

class BodyError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Undoes `Content-Encoding: gzip | deflate`, refusing output past `maxBytes` (a zip bomb). */
async function decodeContent(
  request: FastifyRequest,
  body: Buffer,
  maxBytes: number,
): Promise<Buffer> {
  const encoding = String(request.headers['content-encoding'] ?? 'identity')
    .toLowerCase()
    .trim();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
    throw new BodyError(
      415,
      `Content-Encoding "${encoding}" is not supported (use gzip, deflate or none)`,
    );
  }
  try {
    const options = { maxOutputLength: maxBytes };
    return encoding === 'deflate' ? await inflate(body, options) : await gunzip(body, options);
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BodyError(413, `Decompressed body is larger than the limit of ${maxBytes} bytes`);
    }
    throw new BodyError(400, `Body is not valid ${encoding} data: ${(error as Error).message}`);
  }
}

/**
 * Body parsers for the api: JSON is parsed, NDJSON and plain text arrive as strings for the ingest
 * endpoint to split, and each may be gzip- or deflate-compressed. `maxBytes` bounds the body before
 * and after decompression (413 above it).
 */
export function registerBodyParsers(fastify: FastifyInstance, maxBytes: number): void {
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  const options = { parseAs: 'buffer' as const, bodyLimit: maxBytes };

  fastify.addContentTypeParser('application/json', options, (request, body, done) => {
    decodeContent(request, body as unknown as Buffer, maxBytes)
      .then((buffer) => {
        if (buffer.length === 0) return done(null, undefined);
        try {
          done(null, JSON.parse(buffer.toString('utf8')));
        } catch (error) {
          done(
            new BodyError(400, `Body is not valid JSON: ${(error as Error).message}`),
            undefined,
          );
        }
      })
      .catch((error: Error) => done(error, undefined));
  });

  fastify.addContentTypeParser(
    ['application/x-ndjson', 'text/plain'],
    options,
    (request, body, done) => {
      decodeContent(request, body as unknown as Buffer, maxBytes)
        .then((buffer) => done(null, buffer.toString('utf8')))
        .catch((error: Error) => done(error, undefined));
    },
  );
}
