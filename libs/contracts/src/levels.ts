/**
 * Log levels follow syslog severity order: a smaller number is more severe.
 * The database stores the number (smallint); the API speaks the name.
 */
export const LOG_LEVELS = [
  'emergency',
  'alert',
  'critical',
  'error',
  'warning',
  'notice',
  'info',
  'debug',
] as const;

export type LogLevelName = (typeof LOG_LEVELS)[number];

/** The level given to a line that names none. */
export const DEFAULT_LEVEL = 6; // info

export function levelName(level: number): LogLevelName {
  return LOG_LEVELS[level] ?? 'info';
}
