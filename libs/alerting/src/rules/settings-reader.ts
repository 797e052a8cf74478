import { RuleSettingsError } from './rule-type';

interface NumberOptions {
  min: number;
  max: number;
  integer?: boolean;
  /** Absent: the setting is required. */
  default?: number;
  /** The lower bound itself is not allowed (alpha > 0). */
  exclusiveMin?: boolean;
}

/**
 * Reads a rule type's settings object with clear messages (`settings.windowSeconds must be…`),
 * and refuses settings the type does not know, so a typo does not pass silently.
 */
export class SettingsReader {
  private readonly read = new Set<string>();

  constructor(private readonly raw: Record<string, unknown>) {}

  number(name: string, options: NumberOptions): number {
    this.read.add(name);
    const value = this.raw[name];
    if (value === undefined || value === null) {
      if (options.default !== undefined) return options.default;
      throw new RuleSettingsError(`settings.${name} is required`);
    }
    const kind = options.integer ? 'a whole number' : 'a number';
    const low = options.exclusiveMin ? `above ${options.min}` : `from ${options.min}`;
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      (options.integer && !Number.isInteger(value)) ||
      value < options.min ||
      (options.exclusiveMin && value === options.min) ||
      value > options.max
    ) {
      throw new RuleSettingsError(
        `settings.${name} must be ${kind} ${low} to ${options.max}, not ${JSON.stringify(value)}`,
      );
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    this.read.add(name);
    const value = this.raw[name];
    if (value === undefined || value === null) {
      if (fallback !== undefined) return fallback;
      throw new RuleSettingsError(`settings.${name} is required (one of ${allowed.join(', ')})`);
    }
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      throw new RuleSettingsError(
        `settings.${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`,
      );
    }
    return value as T;
  }

  boolean(name: string, fallback: boolean): boolean {
    this.read.add(name);
    const value = this.raw[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean')
      throw new RuleSettingsError(`settings.${name} must be true or false`);
    return value;
  }

  string(name: string): string | undefined {
    this.read.add(name);
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value.trim() === '')
      throw new RuleSettingsError(`settings.${name} must be a non-empty string`);
    return value.trim();
  }

  /** Call last: refuses any setting that was not read. */
  done(type: string): void {
    const unknown = Object.keys(this.raw).filter((key) => !this.read.has(key));
    if (unknown.length > 0) {
      throw new RuleSettingsError(
        `${type} rules have no setting ${unknown.map((key) => `settings.${key}`).join(', ')}; they take ${[...this.read].join(', ')}`,
      );
    }
  }
}

/** The longest window a rule may use: one day. */
export const MAX_WINDOW_SECONDS = 86_400;
