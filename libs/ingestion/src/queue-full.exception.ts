import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 with Retry-After: the queue is above its high-water mark; the sender should retry later. */
export class QueueFullException extends HttpException {
  constructor(
    queuedLines: number,
    readonly retryAfterSeconds = 1,
  ) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'Too Many Requests',
        message: `Lookout is catching up (${queuedLines} lines queued); retry after ${retryAfterSeconds} s. Nothing already accepted was lost.`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
