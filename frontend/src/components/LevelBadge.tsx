import { LOG_LEVELS, type LogLevelName } from '@app/contracts';

const KNOWN = new Set<string>(LOG_LEVELS);

export function LevelBadge({ level }: { level: LogLevelName }) {
  const modifier = KNOWN.has(level) ? level : 'unknown';
  return <span className={`level-badge level-${modifier}`}>{level}</span>;
}
