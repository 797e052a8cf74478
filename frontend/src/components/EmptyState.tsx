import { CopyButton } from './CopyButton';

interface EmptyStateProps {
  filtered: boolean;
  onClearFilters: () => void;
}

function curlExample(): string {
  const origin = window.location.origin;
  return (
    `curl -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: text/plain' ` +
    `--data-binary 'hello from curl' '${origin}/api/v1/ingest?source=demo'`
  );
}

export function EmptyState({ filtered, onClearFilters }: EmptyStateProps) {
  if (filtered) {
    return (
      <div className="state" data-testid="empty-state">
        <h2>No logs match these filters</h2>
        <p>
          <button type="button" className="button" onClick={onClearFilters}>
            Clear filters
          </button>
        </p>
      </div>
    );
  }

  const example = curlExample();
  return (
    <div className="state" data-testid="empty-state">
      <h2>No logs yet — send one with curl</h2>
      <p>
        With an API key in <code>$KEY</code>, post a line to the ingest endpoint. It shows up here
        within a couple of seconds.
      </p>
      <div className="code-block">
        <pre>{example}</pre>
        <CopyButton text={example} />
      </div>
    </div>
  );
}
