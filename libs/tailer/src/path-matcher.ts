import fg from 'fast-glob';
import * as path from 'node:path';
import picomatch from 'picomatch';

/**
 * The files a tailer covers: what the `include` globs find, less what the `exclude` globs match.
 * An exclude pattern without `/` is matched against the file name, one with `/` against the path.
 */
export class PathMatcher {
  private readonly include: string[];
  private readonly isIncluded: (file: string) => boolean;
  private readonly isExcluded: (file: string) => boolean;

  constructor(include: string[], exclude: string[], cwd: string) {
    const absolute = (pattern: string) =>
      path.isAbsolute(pattern) ? pattern : path.posix.join(cwd, pattern);
    this.include = include.map(absolute);
    this.isIncluded = picomatch(this.include);
    const byName = exclude.filter((pattern) => !pattern.includes('/'));
    const byPath = exclude.filter((pattern) => pattern.includes('/')).map(absolute);
    const nameMatches = byName.length > 0 ? picomatch(byName, { dot: true }) : () => false;
    const pathMatches = byPath.length > 0 ? picomatch(byPath, { dot: true }) : () => false;
    this.isExcluded = (file) => nameMatches(path.basename(file)) || pathMatches(file);
  }

  /** Whether an absolute path is covered (the file need not exist). */
  matches(file: string): boolean {
    return this.isIncluded(file) && !this.isExcluded(file);
  }

  /** Absolute paths of the regular files covered now. */
  async scan(): Promise<string[]> {
    const found = await fg(this.include, {
      absolute: true,
      onlyFiles: true,
      unique: true,
      suppressErrors: true,
    });
    return found.filter((file) => !this.isExcluded(file));
  }
}
