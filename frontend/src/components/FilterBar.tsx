import { LOG_LEVELS, type LogLevelName } from '@app/contracts';
import type { ReactNode } from 'react';
import type { LogFilters } from '../api';

interface FilterBarProps {
  filters: LogFilters;
  onChange: (filters: LogFilters) => void;
  autoRefresh: boolean;
  onAutoRefreshChange: (on: boolean) => void;
  /** Status text at the end of the level row (counts, last update). */
  status?: ReactNode;
}

export function FilterBar({
  filters,
  onChange,
  autoRefresh,
  onAutoRefreshChange,
  status,
}: FilterBarProps) {
  function toggleLevel(level: LogLevelName, on: boolean) {
    const chosen = new Set(filters.levels);
    if (on) chosen.add(level);
    else chosen.delete(level);
    // Keep severity order so the query key (and URL) do not depend on click order.
    onChange({ ...filters, levels: LOG_LEVELS.filter((l) => chosen.has(l)) });
  }

  return (
    <form
      className="filter-bar"
      role="search"
      aria-label="Filter logs"
      onSubmit={(e) => e.preventDefault()}
    >
      <div className="filter-row">
        <div className="field grow">
          <label htmlFor="filter-q">Search</label>
          <input
            id="filter-q"
            type="search"
            placeholder="Text in the message…"
            autoComplete="off"
            spellCheck={false}
            value={filters.q}
            onChange={(e) => onChange({ ...filters, q: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="filter-source">Source</label>
          <input
            id="filter-source"
            placeholder="any"
            autoComplete="off"
            spellCheck={false}
            value={filters.source}
            onChange={(e) => onChange({ ...filters, source: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="filter-host">Host</label>
          <input
            id="filter-host"
            placeholder="any"
            autoComplete="off"
            spellCheck={false}
            value={filters.host}
            onChange={(e) => onChange({ ...filters, host: e.target.value })}
          />
        </div>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            checked={autoRefresh}
            onChange={(e) => onAutoRefreshChange(e.target.checked)}
          />
          <span>Auto-refresh</span>
        </label>
      </div>

      <div className="filter-row">
        <fieldset className="levels">
          <legend>Level</legend>
          {LOG_LEVELS.map((level) => (
            <label key={level} className={`level-chip level-${level}`}>
              <input
                type="checkbox"
                checked={filters.levels.includes(level)}
                onChange={(e) => toggleLevel(level, e.target.checked)}
              />
              <span>{level}</span>
            </label>
          ))}
          {filters.levels.length > 0 ? (
            <button
              type="button"
              className="link-button"
              onClick={() => onChange({ ...filters, levels: [] })}
            >
              All levels
            </button>
          ) : (
            <span className="hint">all levels</span>
          )}
        </fieldset>
        <div className="filter-status">{status}</div>
      </div>
    </form>
  );
}
