import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRecord, LogSearchResponse } from '@app/contracts';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';

/** File sources: tail, multiline, rotation by rename and copytruncate, restart without loss or duplicate. */
describe('file tail sources (real api + worker)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let token: string;
  let dir: string;
  let sourceId: string;

  beforeAll(async () => {
    testEnv = createTestEnv('file_tail');
    system = await startSystem(testEnv);
    token = await system.login();
    dir = mkdtempSync(join(tmpdir(), 'lookout-tail-'));
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${system.baseUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  const stored = async (): Promise<LogRecord[]> => {
    const all: LogRecord[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (
        await api(
          `/api/v1/logs?from=1970-01-01T00:00:00Z&source=app-files&limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
        )
      ).json()) as LogSearchResponse;
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all.reverse();
  };
  /** Waits until `count` lines are stored, then checks that no more arrive (no duplicates). */
  const expectStored = async (count: number): Promise<LogRecord[]> => {
    await waitFor(async () => (await stored()).length >= count, `${count} stored file lines`);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const lines = await stored();
    expect(lines).toHaveLength(count);
    return lines;
  };
  const lines = (from: number, to: number) =>
    Array.from(
      { length: to - from },
      (_, i) => `2026-11-21T10:00:00Z INFO seq=${from + i} work done\n`,
    ).join('');

  it('refuses invalid settings with a message naming them', async () => {
    const response = await api('/api/v1/sources', {
      method: 'POST',
      body: JSON.stringify({
        name: 'bad',
        type: 'file',
        settings: { include: ['relative/*.log'], startAt: 'middle' },
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { message: string[] };
    expect(body.message).toEqual(
      expect.arrayContaining([
        'settings.include: "relative/*.log" must be an absolute path',
        'settings.startAt must be "end" or "beginning"',
      ]),
    );
  });

  it('tails from the beginning and joins stack traces into one event', async () => {
    writeFileSync(join(dir, 'app.log'), lines(0, 3));
    const response = await api('/api/v1/sources', {
      method: 'POST',
      body: JSON.stringify({
        name: 'app-files',
        type: 'file',
        settings: {
          include: [join(dir, '*.log')],
          startAt: 'beginning',
          multiline: { pattern: '^(\\s|Caused by)', maxLines: 100, flushMs: 300 },
        },
      }),
    });
    expect(response.status).toBe(201);
    sourceId = ((await response.json()) as { id: string }).id;
    await expectStored(3);

    appendFileSync(
      join(dir, 'app.log'),
      '2026-11-21T10:00:01Z ERROR seq=3 request failed\n' +
        'java.lang.IllegalStateException: boom\n'.replace('java', '\tjava') +
        '\tat com.example.Service.run(Service.java:42)\n' +
        'Caused by: java.io.IOException: disk\n' +
        lines(4, 5),
    );
    const all = await expectStored(5);
    const event = all.find((line) => line.message.includes('seq=3'))!;
    expect(event.message.split('\n')).toHaveLength(4);
    expect(event.level).toBe('error');
    expect(event.fields['log.file.path']).toBe(join(dir, 'app.log'));
  });

  it('follows rotation by rename and by copytruncate without loss or duplicate', async () => {
    renameSync(join(dir, 'app.log'), join(dir, 'app.log.1'));
    appendFileSync(join(dir, 'app.log.1'), lines(5, 7)); // a late write to the renamed file
    writeFileSync(join(dir, 'app.log'), lines(7, 10));
    await expectStored(10);

    copyFileSync(join(dir, 'app.log'), join(dir, 'app.log.2'));
    truncateSync(join(dir, 'app.log'), 0);
    appendFileSync(join(dir, 'app.log'), lines(10, 12));
    const all = await expectStored(12);
    const seqs = all.map((line) => Number(/seq=(\d+)/.exec(line.message)?.[1]));
    expect(new Set(seqs)).toEqual(new Set(Array.from({ length: 12 }, (_, i) => i)));
  });

  it('resumes after a restart exactly where it stopped', async () => {
    await system.close();
    appendFileSync(join(dir, 'app.log'), lines(12, 20)); // written while Lookout is down
    system = await startSystem(testEnv);
    token = await system.login();
    appendFileSync(join(dir, 'app.log'), lines(20, 22));
    const all = await expectStored(22);
    expect(new Set(all.map((line) => line.message)).size).toBe(22);
  });

  it('shows the tailed files with their stored positions', async () => {
    const source = (await (await api(`/api/v1/sources/${sourceId}`)).json()) as {
      files: { path: string; storedOffset: number; size: number | null }[];
    };
    const current = source.files.find(
      (file) => file.path === join(dir, 'app.log') && file.size === file.storedOffset,
    );
    expect(current).toBeDefined();
  });

  it('stops tailing when the source is disabled', async () => {
    expect(
      (
        await api(`/api/v1/sources/${sourceId}`, {
          method: 'PATCH',
          body: JSON.stringify({ enabled: false }),
        })
      ).status,
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    appendFileSync(join(dir, 'app.log'), lines(22, 23));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await stored()).toHaveLength(22);
  });
});
