import { randomBytes } from 'node:crypto';

/** The four actions of the Elasticsearch bulk API; Lookout stores `index` and `create`. */
export type BulkAction = 'index' | 'create' | 'update' | 'delete';

const BULK_ACTIONS: readonly BulkAction[] = ['index', 'create', 'update', 'delete'];

/** A document to store, taken from an `index` or `create` pair. */
export interface BulkDocument {
  /** The index the action named (or the one in the path, or `es-bulk`). */
  index: string;
  /** The document line exactly as received. */
  raw: string;
}

export interface BulkItemError {
  type: string;
  reason: string;
}

/** One item of a bulk response, as Elasticsearch writes it. */
export interface BulkItemStatus {
  _index: string;
  _id: string | null;
  status: number;
  result?: 'created';
  _version?: number;
  _shards?: { total: number; successful: number; failed: number };
  _seq_no?: number;
  _primary_term?: number;
  error?: BulkItemError;
}

export type BulkItem = Partial<Record<BulkAction, BulkItemStatus>>;

export interface BulkResponse {
  took: number;
  errors: boolean;
  items: BulkItem[];
}

export interface ParsedBulk {
  documents: BulkDocument[];
  /** One per action line, in request order: 201 for a document to store, 400 for a refused one. */
  items: BulkItem[];
  /** How many items were refused. */
  rejected: number;
}

/** A body that cannot be read as action/document pairs at all: Elasticsearch answers 400. */
export class BulkSyntaxError extends Error {}

/**
 * Reads a `_bulk` body: NDJSON pairs of an action line (`{"index":{…}}`, `{"create":{…}}`) and a
 * document line. `delete` (no document line) and `update` (one) are refused per item, as is a
 * document that is not a JSON object; the other items stand. A malformed action line loses the
 * pairing, so it refuses the whole body, as Elasticsearch does.
 */
export function parseBulk(text: string, defaultIndex: string): ParsedBulk {
  const lines = nonEmptyLines(text);
  if (lines.length === 0) {
    throw new BulkSyntaxError('The bulk request body is empty: send action and document lines');
  }
  const documents: BulkDocument[] = [];
  const items: BulkItem[] = [];
  let rejected = 0;
  const refuse = (
    action: BulkAction,
    index: string,
    id: string | undefined,
    error: BulkItemError,
  ) => {
    rejected++;
    items.push({ [action]: { _index: index, _id: id ?? null, status: 400, error } });
  };

  let next = 0;
  while (next < lines.length) {
    const actionLine = lines[next++];
    const { action, meta } = parseActionLine(actionLine.text, actionLine.number);
    const index = nonEmptyString(meta._index) ?? defaultIndex;
    const givenId =
      typeof meta._id === 'string' || typeof meta._id === 'number' ? String(meta._id) : undefined;
    if (action === 'delete') {
      refuse(action, index, givenId, unsupported(action));
      continue;
    }
    const documentLine = lines[next];
    if (documentLine === undefined) {
      refuse(action, index, givenId, {
        type: 'action_request_validation_exception',
        reason: `The ${action} action on line ${actionLine.number} has no document line after it`,
      });
      break;
    }
    next++;
    if (action === 'update') {
      refuse(action, index, givenId, unsupported(action));
      continue;
    }
    const problem = documentProblem(documentLine.text);
    if (problem) {
      refuse(action, index, givenId, {
        type: 'mapper_parsing_exception',
        reason: `failed to parse the document on line ${documentLine.number}: ${problem}`,
      });
      continue;
    }
    const id = givenId ?? generateId();
    documents.push({ index, raw: documentLine.text });
    items.push({
      [action]: {
        _index: index,
        _id: id,
        _version: 1,
        result: 'created',
        _shards: { total: 1, successful: 1, failed: 0 },
        _seq_no: 0,
        _primary_term: 1,
        status: 201,
      },
    });
  }
  return { documents, items, rejected };
}

function parseActionLine(
  text: string,
  number: number,
): { action: BulkAction; meta: Record<string, unknown> } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BulkSyntaxError(
      `Malformed action line ${number}: ${(error as Error).message}; nothing was stored`,
    );
  }
  const keys = isObject(value) ? Object.keys(value) : [];
  if (keys.length !== 1 || !BULK_ACTIONS.includes(keys[0] as BulkAction)) {
    throw new BulkSyntaxError(
      `Malformed action line ${number}: expected one of {"index":{…}}, {"create":{…}}, {"update":{…}}, {"delete":{…}}; nothing was stored`,
    );
  }
  const action = keys[0] as BulkAction;
  const meta = (value as Record<string, unknown>)[action];
  if (meta !== null && !isObject(meta)) {
    throw new BulkSyntaxError(
      `Malformed action line ${number}: the ${action} metadata must be an object; nothing was stored`,
    );
  }
  return { action, meta: meta ?? {} };
}

function documentProblem(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  return isObject(value) ? undefined : 'the document must be a JSON object';
}

function unsupported(action: BulkAction): BulkItemError {
  return {
    type: 'action_request_validation_exception',
    reason: `Lookout stores log lines and never changes them: the ${action} action is not supported (use index or create)`,
  };
}

function nonEmptyLines(text: string): { text: string; number: number }[] {
  const lines: { text: string; number: number }[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((line, index) => {
      const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (trimmed.trim() !== '') lines.push({ text: trimmed, number: index + 1 });
    });
  return lines;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A 20-character id like the ones Elasticsearch makes for documents sent without one. */
function generateId(): string {
  return randomBytes(15).toString('base64url');
}
