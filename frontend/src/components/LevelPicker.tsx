import { LOG_LEVELS, type LogLevelName } from '@app/contracts';

interface LevelPickerProps {
  value: LogLevelName[];
  onChange: (levels: LogLevelName[]) => void;
  /** Counts per level, shown beside each chip. */
  counts?: Partial<Record<LogLevelName, number>>;
  legend?: string;
}

/** Level checkboxes as chips; empty means every level. */
export function LevelPicker({ value, onChange, counts, legend = 'Levels' }: LevelPickerProps) {
  function toggle(level: LogLevelName, on: boolean) {
    const chosen = new Set(value);
    if (on) chosen.add(level);
    else chosen.delete(level);
    // Severity order, so the subscription and the URL do not depend on click order.
    onChange(LOG_LEVELS.filter((l) => chosen.has(l)));
  }

  return (
    <fieldset className="levels">
      <legend>{legend}</legend>
      {LOG_LEVELS.map((level) => (
        <label key={level} className={`level-chip level-${level}`}>
          <input
            type="checkbox"
            checked={value.includes(level)}
            onChange={(e) => toggle(level, e.target.checked)}
          />
          <span>{level}</span>
          {counts && <span className="chip-count">{(counts[level] ?? 0).toLocaleString()}</span>}
        </label>
      ))}
      {value.length > 0 ? (
        <button type="button" className="link-button" onClick={() => onChange([])}>
          All levels
        </button>
      ) : (
        <span className="hint">all levels</span>
      )}
    </fieldset>
  );
}
