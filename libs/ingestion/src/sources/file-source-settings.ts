/** Settings of a `file` source, as stored in `sources.settings`. */
export interface FileSourceSettings {
  /** Absolute path globs, e.g. `/var/log/nginx/*.log`. */
  include: string[];
  exclude?: string[];
  /** Where to start in a file seen for the first time. */
  startAt: 'end' | 'beginning';
  /** Lines matching `pattern` continue the previous event (stack traces). */
  multiline?: { pattern: string; maxLines: number; flushMs: number };
}

/**
 * Checks and normalises the settings of a source by type; returns the problems, each naming the
 * setting, so a bad source gets a 400 that says what to fix.
 */
export function validateSourceSettings(
  type: string,
  settings: unknown,
): { settings: Record<string, unknown>; problems: string[] } {
  const problems: string[] = [];
  if (settings === undefined || settings === null) settings = {};
  if (typeof settings !== 'object' || Array.isArray(settings)) {
    return { settings: {}, problems: ['settings must be an object'] };
  }
  const given = settings as Record<string, unknown>;
  if (type !== 'file') return { settings: given, problems };

  const globs = (name: string, value: unknown, required: boolean): string[] | undefined => {
    if (value === undefined && !required) return undefined;
    if (
      !Array.isArray(value) ||
      value.length === 0 ||
      !value.every((item) => typeof item === 'string' && item)
    ) {
      problems.push(`settings.${name} must be a non-empty list of path globs`);
      return undefined;
    }
    for (const glob of value as string[]) {
      if (!glob.startsWith('/'))
        problems.push(`settings.${name}: "${glob}" must be an absolute path`);
    }
    return value as string[];
  };
  const include = globs('include', given.include, true) ?? [];
  const exclude = globs('exclude', given.exclude, false);
  const startAt = given.startAt ?? 'end';
  if (startAt !== 'end' && startAt !== 'beginning')
    problems.push('settings.startAt must be "end" or "beginning"');

  let multiline: FileSourceSettings['multiline'];
  if (given.multiline !== undefined) {
    const rule = given.multiline as Record<string, unknown>;
    const pattern = rule?.pattern;
    if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > 500) {
      problems.push(
        'settings.multiline.pattern must be a regular expression of 1 to 500 characters',
      );
    } else {
      try {
        new RegExp(pattern);
      } catch (error) {
        problems.push(
          `settings.multiline.pattern is not a valid regular expression: ${(error as Error).message}`,
        );
      }
    }
    const maxLines = rule?.maxLines ?? 500;
    const flushMs = rule?.flushMs ?? 1000;
    if (!Number.isInteger(maxLines) || (maxLines as number) < 2 || (maxLines as number) > 10_000) {
      problems.push('settings.multiline.maxLines must be a whole number from 2 to 10000');
    }
    if (!Number.isInteger(flushMs) || (flushMs as number) < 10 || (flushMs as number) > 60_000) {
      problems.push('settings.multiline.flushMs must be a whole number from 10 to 60000');
    }
    multiline = {
      pattern: pattern as string,
      maxLines: maxLines as number,
      flushMs: flushMs as number,
    };
  }
  const normalised: FileSourceSettings = {
    include,
    startAt: startAt as FileSourceSettings['startAt'],
  };
  if (exclude) normalised.exclude = exclude;
  if (multiline) normalised.multiline = multiline;
  return { settings: normalised as unknown as Record<string, unknown>, problems };
}
