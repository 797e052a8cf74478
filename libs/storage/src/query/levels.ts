import { LOG_LEVELS } from '@app/contracts';
import { levelFromWord } from '@app/parsing';
import { likeMatches, likeSegments } from './like';
import { pgLower } from './text-tokens';

export const LEVEL_EXPECTED = `a level name (${LOG_LEVELS.join(', ')}) or a number 0–7`;

/** One end of a level span: a syslog severity (0 is the most severe). */
export interface LevelEnd {
  level: number;
  inclusive: boolean;
}

const ALL_LEVELS = LOG_LEVELS.map((_, level) => level);

/** A level from its name, an alias (`err`, `warn`, `fatal` …) or its syslog number 0–7. */
export function parseLevel(text: string): number | undefined {
  return /^[0-7]$/.test(text) ? Number(text) : levelFromWord(text);
}

/** The levels whose name matches a LIKE pattern, case-insensitively (`warn*` → warning). */
export function levelsMatching(pattern: string): number[] {
  const segments = likeSegments(pgLower(pattern));
  return ALL_LEVELS.filter((level) => likeMatches(segments, [...LOG_LEVELS[level]]));
}

/**
 * The levels from `least` (the less severe end) up to `most` (the more severe end), by severity;
 * a null end is open. Two levels given the other way round mean the same span, so both
 * `[warning TO error]` and `[error TO warning]` are error and warning.
 */
export function levelsBetween(least: LevelEnd | null, most: LevelEnd | null): number[] {
  if (least && most && least.level < most.level) [least, most] = [most, least];
  return ALL_LEVELS.filter(
    (level) =>
      (!least || (least.inclusive ? level <= least.level : level < least.level)) &&
      (!most || (most.inclusive ? level >= most.level : level > most.level)),
  );
}
