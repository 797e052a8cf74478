import { Fragment, type ReactNode } from 'react';

/**
 * `text` with the server's [start, end) spans wrapped in <mark>. Built from text nodes only:
 * log text is never parsed as HTML.
 */
export function HighlightedText({
  text,
  spans,
}: {
  text: string;
  spans: readonly (readonly [number, number])[] | undefined;
}) {
  if (!spans || spans.length === 0) return <>{text}</>;
  const parts: ReactNode[] = [];
  let at = 0;
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  for (const [rawStart, rawEnd] of sorted) {
    const start = Math.max(at, Math.min(rawStart, text.length));
    const end = Math.max(start, Math.min(rawEnd, text.length));
    if (end <= start) continue;
    if (start > at) parts.push(<Fragment key={`t${at}`}>{text.slice(at, start)}</Fragment>);
    parts.push(<mark key={`m${start}`}>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(<Fragment key={`t${at}`}>{text.slice(at)}</Fragment>);
  return <>{parts}</>;
}
