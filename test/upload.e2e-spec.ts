import type { UploadProgress } from '@app/contracts';
import { UploadService } from '@app/ingestion';
import type { LogRecord, LogSearchResponse } from '@app/contracts';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { gzipSync } from 'node:zlib';

type Upload = UploadProgress;

/** Log file uploads: multipart in, 202 at once, processed in the background by the api. */
describe('uploads (api + worker, real Postgres and Redis)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let apiKey: string;
  let uploadDir: string;
  let db: Client;

  beforeAll(async () => {
    uploadDir = mkdtempSync(join(tmpdir(), 'lookout-upload-test-'));
    testEnv = createTestEnv('upload', {
      UPLOAD_DIR: uploadDir,
      UPLOAD_MAX_BYTES: String(4 * 1024 * 1024),
    });
    system = await startSystem(testEnv);
    apiKey = await system.createApiKey(await system.login(), 'uploader');
    db = new Client({ connectionString: testEnv.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await system?.close();
    await testEnv?.cleanup();
    rmSync(uploadDir, { recursive: true, force: true });
  });

  const upload = (
    filename: string,
    content: string | Buffer,
    fields: Record<string, string> = {},
    headers: Record<string, string> = { 'x-api-key': apiKey },
  ) => {
    const form = new FormData();
    form.append('file', new Blob([content]), filename);
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    return fetch(`${system.baseUrl}/api/v1/uploads`, { method: 'POST', headers, body: form });
  };
  const get = async (id: string): Promise<Upload> => {
    const response = await fetch(`${system.baseUrl}/api/v1/uploads/${id}`, {
      headers: { 'x-api-key': apiKey },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Upload;
  };
  const finished = async (id: string): Promise<Upload> =>
    (await waitFor(
      async () => {
        const current = await get(id);
        return current.status === 'done' || current.status === 'failed' ? current : undefined;
      },
      `upload ${id} to finish`,
      60_000,
    ))!;
  const storedCount = async (source: string): Promise<number> => {
    const result = await db.query('SELECT count(*)::int AS n FROM logs WHERE source = $1', [
      source,
    ]);
    return (result.rows[0] as { n: number }).n;
  };
  const search = async (query: string): Promise<LogRecord[]> => {
    const response = await fetch(
      `${system.baseUrl}/api/v1/logs?from=1970-01-01T00:00:00Z&${query}`,
      {
        headers: { 'x-api-key': apiKey },
      },
    );
    return ((await response.json()) as LogSearchResponse).items;
  };

  it('processes a 20,000-line .log in the background and reports consistent progress', async () => {
    // CRLF and LF endings, blank lines in between, and no newline at the very end.
    const lines = Array.from(
      { length: 20_000 },
      (_, i) =>
        `2026-11-21T08:${String(Math.floor(i / 600) % 60).padStart(2, '0')}:${String(Math.floor(i / 10) % 60).padStart(2, '0')}Z ${i % 7 === 0 ? 'ERROR' : 'INFO'} request ${i} served`,
    );
    const content = lines
      .map((line, i) => (i % 3 === 0 ? `${line}\r\n` : i % 5 === 0 ? `${line}\n\n` : `${line}\n`))
      .join('')
      .replace(/\n$/, '');
    // The source comes after the file in the form: it is still read.
    const response = await upload('app.log', content, { source: 'big-upload' });
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as Upload;
    expect(accepted).toMatchObject({
      filename: 'app.log',
      source: 'big-upload',
      totalBytes: Buffer.byteLength(content),
      linesTotal: null,
      error: null,
      finishedAt: null,
    });
    expect(['pending', 'processing', 'done']).toContain(accepted.status);

    const done = await finished(accepted.id);
    expect(done).toMatchObject({
      status: 'done',
      bytesDone: Buffer.byteLength(content),
      totalBytes: Buffer.byteLength(content),
      linesDone: 20_000,
      linesTotal: 20_000,
      percent: 100,
      error: null,
    });
    expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(done.createdAt));

    await system.drain();
    expect(await storedCount('big-upload')).toBe(20_000);
    const crlf = await db.query(
      `SELECT count(*)::int AS n FROM logs WHERE source = 'big-upload' AND coalesce(raw, message) LIKE '%' || chr(13)`,
    );
    expect(crlf.rows[0]).toEqual({ n: 0 });
    const line21 = await db.query(
      `SELECT level, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS ts
         FROM logs WHERE source = 'big-upload' AND coalesce(raw, message) = $1`,
      [lines[21]],
    );
    expect(line21.rows).toEqual([{ level: 3, ts: '2026-11-21T08:00:02' }]);
    // The temporary file is gone once processed.
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('gunzips a .gz upload and counts compressed bytes', async () => {
    const text = Array.from(
      { length: 3000 },
      (_, i) => `{"level":"warning","msg":"zipped ${i}"}`,
    ).join('\n');
    const gz = gzipSync(text);
    const response = await upload('events.log.gz', gz, { source: 'gz-upload' });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as Upload;
    const done = await finished(id);
    expect(done).toMatchObject({
      status: 'done',
      totalBytes: gz.length,
      bytesDone: gz.length,
      linesTotal: 3000,
    });
    await system.drain();
    expect(await storedCount('gz-upload')).toBe(3000);
    expect((await search('source=gz-upload&limit=1'))[0]).toMatchObject({
      level: 'warning',
      source: 'gz-upload',
    });
  });

  it('marks a corrupt .gz failed with the reason, keeping the lines read before it', async () => {
    const text = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
    const gz = gzipSync(text, { level: 1 });
    const corrupt = Buffer.concat([
      gz.subarray(0, Math.floor(gz.length / 2)),
      Buffer.alloc(4096, 0xa5),
    ]);
    const response = await upload('broken.gz', corrupt, { source: 'corrupt-upload' });
    expect(response.status).toBe(202);
    const failed = await finished(((await response.json()) as Upload).id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/not valid gzip data/);
    expect(failed.error).toContain(`${failed.linesDone} lines were accepted`);
    expect(failed.finishedAt).not.toBeNull();
    await system.drain();
    expect(await storedCount('corrupt-upload')).toBe(failed.linesDone);
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('refuses other extensions, a missing file, a bad source, an oversized file and no credentials', async () => {
    const exe = await upload('tool.exe', 'MZ...');
    expect(exe.status).toBe(400);
    expect(await exe.json()).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('.log, .txt or .gz'),
    });

    const form = new FormData();
    form.append('source', 'nothing');
    const noFile = await fetch(`${system.baseUrl}/api/v1/uploads`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey },
      body: form,
    });
    expect(noFile.status).toBe(400);

    expect((await upload('a.txt', 'x\n', { source: 'bad source!' })).status).toBe(400);

    const tooLarge = await upload('huge.log', Buffer.alloc(5 * 1024 * 1024, 'a'));
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { message: string }).message).toContain('UPLOAD_MAX_BYTES');
    // Just over the limit: refused while streaming, the partial file removed.
    const justOver = await upload('over.log', Buffer.alloc(4 * 1024 * 1024 + 100_000, 'b'));
    expect(justOver.status).toBe(413);

    const json = await fetch(`${system.baseUrl}/api/v1/uploads`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(415);

    expect((await upload('a.log', 'x\n', {}, {})).status).toBe(401);
    expect((await fetch(`${system.baseUrl}/api/v1/uploads`)).status).toBe(401);
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('lists uploads, 404s an unknown id and 400s a malformed one', async () => {
    const response = await fetch(`${system.baseUrl}/api/v1/uploads?limit=2`, {
      headers: { 'x-api-key': apiKey },
    });
    expect(response.status).toBe(200);
    const list = (await response.json()) as Upload[];
    expect(list).toHaveLength(2);
    expect(Date.parse(list[0].createdAt)).toBeGreaterThanOrEqual(Date.parse(list[1].createdAt));
    expect(
      (
        await fetch(`${system.baseUrl}/api/v1/uploads/00000000-0000-4000-8000-000000000000`, {
          headers: { 'x-api-key': apiKey },
        })
      ).status,
    ).toBe(404);
    expect(
      (await fetch(`${system.baseUrl}/api/v1/uploads/nope`, { headers: { 'x-api-key': apiKey } }))
        .status,
    ).toBe(400);
  });

  it('marks uploads left unfinished by a stopped api as failed', async () => {
    const {
      rows: [row],
    } = await db.query(
      `INSERT INTO uploads (filename, source, status, total_bytes, bytes_done, lines_done)
       VALUES ('old.log', 'crashed', 'processing', 1000, 400, 1234) RETURNING id`,
    );
    const id = (row as { id: string }).id;
    expect(await system.api.get(UploadService).failAbandoned()).toBe(1);
    const upload = await get(id);
    expect(upload).toMatchObject({ status: 'failed', linesDone: 1234 });
    expect(upload.error).toMatch(/interrupted: the api stopped .* after 1234 lines were accepted/);
    expect(upload.error).toContain('Resuming is not supported');
  });
});
