/** A pipeline definition that cannot run: `path` says where (`steps[2].pattern`). */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';

  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** Runs a piece of compilation whose errors (a `PatternError`, say) belong at `path`. */
export function atPath<T>(path: string, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    throw new PipelineError(path, (error as Error).message);
  }
}
