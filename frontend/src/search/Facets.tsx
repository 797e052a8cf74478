import type { AggregateResponse } from '@app/contracts';
import { useId } from 'react';

interface FacetProps {
  title: string;
  data: AggregateResponse | undefined;
  loading: boolean;
  selected: string[];
  onToggle: (key: string, on: boolean) => void;
  onClear: () => void;
  /** CSS class per key (level colours). */
  keyClass?: (key: string) => string;
  /** Order of the values (default: most lines first). */
  order?: (a: string, b: string) => number;
  testId?: string;
}

/** A list of values with their counts; checking values filters the search by them. */
export function Facet({
  title,
  data,
  loading,
  selected,
  onToggle,
  onClear,
  keyClass,
  order,
  testId,
}: FacetProps) {
  const id = useId();
  const groups = order
    ? [...(data?.groups ?? [])].sort((a, b) => order(a.key, b.key))
    : (data?.groups ?? []);
  const max = Math.max(1, ...groups.map((g) => g.count));
  // Selected values stay listed even when they have no lines in the range.
  const missing = selected.filter((key) => !groups.some((g) => g.key === key));

  return (
    <section className="facet" aria-labelledby={id} data-testid={testId}>
      <div className="facet-head">
        <h2 id={id}>{title}</h2>
        {selected.length > 0 && (
          <button type="button" className="link-button" onClick={onClear}>
            Clear
          </button>
        )}
      </div>
      {loading && groups.length === 0 ? (
        <p className="dim">Counting…</p>
      ) : groups.length === 0 && missing.length === 0 ? (
        <p className="dim">No lines.</p>
      ) : (
        <ul className={loading ? 'is-stale' : undefined}>
          {[
            ...groups.map((g) => ({ key: g.key, count: g.count })),
            ...missing.map((key) => ({ key, count: 0 })),
          ].map((group) => (
            <li key={group.key}>
              <label className="facet-item">
                <input
                  type="checkbox"
                  checked={selected.includes(group.key)}
                  onChange={(e) => onToggle(group.key, e.target.checked)}
                />
                <span className={`facet-key ${keyClass?.(group.key) ?? ''}`} title={group.key}>
                  {group.key}
                </span>
                <span className="facet-count">{group.count.toLocaleString()}</span>
                <span
                  className={`facet-bar ${keyClass?.(group.key) ?? ''}`}
                  style={{ width: `${(group.count / max) * 100}%` }}
                  aria-hidden="true"
                />
              </label>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
