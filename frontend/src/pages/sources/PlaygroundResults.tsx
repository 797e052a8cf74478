import { Fragment } from 'react';
import type { ParserTestLine } from '../../api/ingestion';
import { formatFieldValue } from '../../format';

/** Columns and fields of a parsed line, `fields` flattened one level. */
function entries(result: Record<string, unknown> | null): [string, unknown][] {
  if (!result) return [];
  const out: [string, unknown][] = [];
  for (const [key, value] of Object.entries(result)) {
    if (value === null || value === undefined) continue;
    if (key === 'fields' && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, v] of Object.entries(value as Record<string, unknown>))
        out.push([`fields.${name}`, v]);
    } else {
      out.push([key, value]);
    }
  }
  return out;
}

export function PlaygroundResults({
  results,
  error,
  busy,
}: {
  results: ParserTestLine[] | undefined;
  error: Error | null;
  busy: boolean;
}) {
  return (
    <div
      className={`playground-results${busy ? ' is-stale' : ''}`}
      aria-live="polite"
      data-testid="playground-results"
    >
      {error && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      {results?.map((r) => (
        <article key={r.line} className={`pg-line${r.kept ? '' : ' dropped'}`}>
          <header>
            <span className="mono">line {r.line}</span>
            <span className="tag">{r.matched}</span>
            {!r.kept && <span className="tag warn">dropped</span>}
            {r.errors.length > 0 && <span className="tag bad">{r.errors.length} error(s)</span>}
            <span className="dim">{r.micros} µs</span>
          </header>
          {r.errors.map((e, i) => (
            <p key={i} className="text-error">
              {e}
            </p>
          ))}
          <dl className="kv fields">
            {entries(r.result).map(([key, value]) => (
              <Fragment key={key}>
                <dt className="mono">{key}</dt>
                <dd className="mono pre-wrap">{formatFieldValue(value)}</dd>
              </Fragment>
            ))}
          </dl>
        </article>
      ))}
    </div>
  );
}
