/** Keyset position for newest-first paging: the (ts, id) of the last row of a page. */
export interface LogCursor {
  /** ISO timestamp with microseconds, as stored. */
  ts: string;
  id: string;
}

export function encodeCursor(cursor: LogCursor): string {
  return Buffer.from(`${cursor.ts}|${cursor.id}`, 'utf8').toString('base64url');
}

/** Returns undefined for anything that is not a cursor this API produced. */
export function decodeCursor(text: string): LogCursor | undefined {
  let decoded: string;
  try {
    decoded = Buffer.from(text, 'base64url').toString('utf8');
  } catch {
    return undefined;
  }
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|(\d{1,19})$/.exec(decoded);
  return match ? { ts: match[1], id: match[2] } : undefined;
}
