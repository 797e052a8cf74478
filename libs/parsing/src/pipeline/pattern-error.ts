/**
 * A user-supplied pattern that cannot be compiled: the message names the construct and where it
 * is, so an editor can point at it.
 */
export class PatternError extends Error {
  override readonly name = 'PatternError';

  constructor(message: string) {
    super(message);
  }
}
