import { BulkSyntaxError, parseBulk } from './es-bulk';

const ndjson = (...lines: unknown[]) =>
  lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');

describe('Elasticsearch bulk body', () => {
  it('pairs index and create actions with their documents, keeping the document text', () => {
    const parsed = parseBulk(
      ndjson(
        { index: { _index: 'app', _id: 7 } },
        '{"msg": "spaced  as sent"}',
        { create: {} },
        { msg: 'default index' },
      ) + '\r\n',
      'from-path',
    );
    expect(parsed.documents).toEqual([
      { index: 'app', raw: '{"msg": "spaced  as sent"}' },
      { index: 'from-path', raw: '{"msg":"default index"}' },
    ]);
    expect(parsed.rejected).toBe(0);
    expect(parsed.items[0]).toEqual({
      index: expect.objectContaining({ _index: 'app', _id: '7', status: 201, result: 'created' }),
    });
    expect(parsed.items[1].create?._id).toMatch(/^[\w-]{20}$/);
  });

  it('refuses delete, update and documents that are not objects per item, keeping the rest', () => {
    const parsed = parseBulk(
      ndjson(
        { delete: { _index: 'app', _id: 'x' } },
        { update: { _id: 'y' } },
        { doc: { a: 1 } },
        { index: {} },
        '[1,2]',
        { index: {} },
        '{"broken":',
        { create: null },
        { ok: true },
        { index: {} },
      ),
      'es-bulk',
    );
    expect(parsed.documents).toEqual([{ index: 'es-bulk', raw: '{"ok":true}' }]);
    expect(parsed.rejected).toBe(5);
    expect(parsed.items.map((item) => Object.entries(item)[0])).toEqual([
      [
        'delete',
        expect.objectContaining({
          _id: 'x',
          status: 400,
          error: expect.objectContaining({ type: 'action_request_validation_exception' }),
        }),
      ],
      ['update', expect.objectContaining({ _id: 'y', status: 400 })],
      [
        'index',
        expect.objectContaining({
          _id: null,
          status: 400,
          error: {
            type: 'mapper_parsing_exception',
            reason: 'failed to parse the document on line 5: the document must be a JSON object',
          },
        }),
      ],
      [
        'index',
        expect.objectContaining({
          status: 400,
          error: expect.objectContaining({
            type: 'mapper_parsing_exception',
            reason: expect.stringContaining('line 7'),
          }),
        }),
      ],
      ['create', expect.objectContaining({ status: 201 })],
      [
        'index',
        expect.objectContaining({
          status: 400,
          error: expect.objectContaining({ reason: expect.stringContaining('no document line') }),
        }),
      ],
    ]);
  });

  it('refuses the whole body when an action line cannot be read', () => {
    expect(() => parseBulk('', 'x')).toThrow(BulkSyntaxError);
    expect(() => parseBulk(ndjson('{"index":', { a: 1 }), 'x')).toThrow(/Malformed action line 1/);
    expect(() => parseBulk(ndjson({ upsert: {} }, { a: 1 }), 'x')).toThrow(/expected one of/);
    expect(() => parseBulk(ndjson({ index: {}, create: {} }, { a: 1 }), 'x')).toThrow(
      BulkSyntaxError,
    );
    expect(() => parseBulk(ndjson({ index: 'app' }, { a: 1 }), 'x')).toThrow(/must be an object/);
  });
});
