import type { LogRecord, LogRecordDetail } from '@app/contracts';
import { useQuery } from '@tanstack/react-query';
import { Fragment, useEffect, useRef, type ReactNode } from 'react';
import { getLog } from '../api/logs';
import { formatFieldValue, formatLocalTime } from '../format';
import { CopyButton } from './CopyButton';
import { HighlightedText } from './HighlightedText';
import { LevelBadge } from './LevelBadge';

interface LogDetailProps {
  /** The row that was clicked; shown until the full record arrives. */
  record: LogRecord;
  onClose: () => void;
}

function Empty() {
  return <span className="dim">—</span>;
}

function orEmpty(value: string | number | null): ReactNode {
  return value === null || value === '' ? <Empty /> : String(value);
}

function Timestamp({ iso }: { iso: string }) {
  return (
    <>
      {formatLocalTime(iso)} <span className="dim mono">{iso}</span>
    </>
  );
}

export function LogDetail({ record, onClose }: LogDetailProps) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const detail = useQuery({
    queryKey: ['log', record.id],
    queryFn: ({ signal }) => getLog(record.id, signal),
    // A stored line never changes.
    staleTime: Infinity,
  });
  const log: LogRecord | LogRecordDetail = detail.data ?? record;
  const fieldEntries = Object.entries(log.fields ?? {});

  // Move focus into the panel when it opens (not when another row is picked while open).
  useEffect(() => {
    closeRef.current?.focus();
  }, []);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault();
        onClose();
      }
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [onClose]);

  return (
    <aside className="log-detail" data-testid="log-detail" aria-labelledby="log-detail-title">
      <header className="detail-header">
        <LevelBadge level={log.level} />
        <h2 id="log-detail-title">
          Log <span className="mono">#{log.id}</span>
        </h2>
        <button
          ref={closeRef}
          type="button"
          className="button small"
          onClick={onClose}
          aria-label="Close details (Escape)"
        >
          Close
        </button>
      </header>

      <div className="detail-body">
        {log.parseError !== null && (
          <div className="parse-error" data-testid="parse-error">
            <strong>Parse error:</strong> {log.parseError}
          </div>
        )}

        <section aria-labelledby="detail-message">
          <h3 id="detail-message">Message</h3>
          <pre className="detail-message">
            <HighlightedText text={log.message} spans={record.highlights} />
          </pre>
        </section>

        <section aria-labelledby="detail-record">
          <h3 id="detail-record">Record</h3>
          <dl className="kv">
            <dt>Time</dt>
            <dd>
              <Timestamp iso={log.ts} />
            </dd>
            <dt>Received</dt>
            <dd>
              <Timestamp iso={log.receivedAt} />
            </dd>
            <dt>Level</dt>
            <dd>{log.level}</dd>
            <dt>Source</dt>
            <dd>{orEmpty(log.source)}</dd>
            <dt>Host</dt>
            <dd>{orEmpty(log.host)}</dd>
            <dt>Status code</dt>
            <dd>{orEmpty(log.statusCode)}</dd>
            <dt>Method</dt>
            <dd>{orEmpty(log.method)}</dd>
            <dt>Path</dt>
            <dd className="mono">{orEmpty(log.path)}</dd>
            <dt>Latency</dt>
            <dd>{log.latencyMs === null ? <Empty /> : `${log.latencyMs} ms`}</dd>
            <dt>Parse error</dt>
            <dd className={log.parseError !== null ? 'text-error' : undefined}>
              {orEmpty(log.parseError)}
            </dd>
            <dt>ID</dt>
            <dd className="mono">{log.id}</dd>
          </dl>
        </section>

        <section aria-labelledby="detail-fields">
          <h3 id="detail-fields">Fields</h3>
          {fieldEntries.length === 0 ? (
            <p className="dim">No structured fields.</p>
          ) : (
            <dl className="kv fields">
              {fieldEntries.map(([key, value]) => (
                <Fragment key={key}>
                  <dt className="mono">{key}</dt>
                  <dd className="mono pre-wrap">{formatFieldValue(value)}</dd>
                </Fragment>
              ))}
            </dl>
          )}
        </section>

        <section aria-labelledby="detail-raw">
          <div className="section-heading">
            <h3 id="detail-raw">Raw</h3>
            {detail.data && <CopyButton text={detail.data.raw} label="Copy raw" />}
          </div>
          {detail.isPending ? (
            <p className="dim">Loading…</p>
          ) : detail.isError ? (
            <div className="inline-error" role="alert">
              Could not load the full record: {detail.error.message}{' '}
              <button type="button" className="link-button" onClick={() => detail.refetch()}>
                Retry
              </button>
            </div>
          ) : (
            <pre className="raw">{detail.data.raw}</pre>
          )}
        </section>
      </div>
    </aside>
  );
}
