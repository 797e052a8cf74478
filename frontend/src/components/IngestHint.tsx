import { CopyButton } from './CopyButton';

/** How to send a first line, for empty screens. */
export function IngestHint() {
  const example =
    `curl -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: text/plain' ` +
    `--data-binary 'hello from curl' '${window.location.origin}/api/v1/ingest?source=demo'`;
  return (
    <>
      <p>
        With an API key in <code>$KEY</code> (Settings → API keys), post a line to the ingest
        endpoint:
      </p>
      <div className="code-block">
        <pre>{example}</pre>
        <CopyButton text={example} />
      </div>
    </>
  );
}
