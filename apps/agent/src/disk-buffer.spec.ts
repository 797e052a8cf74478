import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { DiskBuffer } from './disk-buffer';
import type { AgentLog } from './log';

const quiet: AgentLog = { info: () => {}, warn: () => {}, error: () => {} };
const events = (...texts: string[]) => texts.map((text) => ({ text, path: '/var/log/app.log' }));
const update = (offset: number) => ({
  checkpoints: [{ fileKey: '1:2:0', path: '/var/log/app.log', offset }],
  finished: [],
});

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lookout-buffer-'));
});

afterEach(() => fs.rm(dir, { recursive: true, force: true }));

describe('DiskBuffer', () => {
  it('gives batches back oldest first, across a restart', async () => {
    const buffer = await DiskBuffer.open(dir, 1e6, quiet);
    await buffer.append(events('a', 'b'), [update(4)]);
    await buffer.append(events('c'), [update(6)]);
    expect(buffer.lines).toBe(3);

    const reopened = await DiskBuffer.open(dir, 1e6, quiet);
    expect(reopened.recoveredUpdates).toEqual([update(6)]);
    const first = (await reopened.oldest())!;
    expect(first.events.map((event) => event.text)).toEqual(['a', 'b']);
    await reopened.remove(first.seq);
    await reopened.append(events('d'), [update(8)]);
    const texts: string[] = [];
    for (let batch = await reopened.oldest(); batch; batch = await reopened.oldest()) {
      texts.push(...batch.events.map((event) => event.text));
      await reopened.remove(batch.seq);
    }
    expect(texts).toEqual(['c', 'd']);
    expect(reopened.isEmpty).toBe(true);
  });

  it('drops the oldest batches over maxBytes, but not the one being sent, and counts their lines', async () => {
    const buffer = await DiskBuffer.open(dir, 1e6, quiet);
    await buffer.append(events('first'), []);
    const perBatch = buffer.bytes;
    const small = await DiskBuffer.open(dir, perBatch * 3, quiet);
    expect((await small.oldest())!.events[0].text).toBe('first');
    for (const text of ['x', 'y', 'z', 'w']) await small.append(events(text, text), []);

    expect(small.bytes).toBeLessThanOrEqual(perBatch * 3);
    expect(small.dropped).toBe(4);
    const texts: string[] = [];
    for (let batch = await small.oldest(); batch; batch = await small.oldest()) {
      texts.push(batch.events[0].text);
      await small.remove(batch.seq);
    }
    expect(texts).toEqual(['first', 'z', 'w']);
  });

  it('keeps only the rest of a partly delivered batch, even if a rewrite was cut short', async () => {
    const buffer = await DiskBuffer.open(dir, 1e6, quiet);
    await buffer.append(events('a', 'b', 'c'), [update(6)]);
    const batch = (await buffer.oldest())!;
    const before = await fs.readdir(dir);
    await buffer.replace(batch.seq, { events: events('c'), updates: batch.updates });
    // As if the old file had not been removed yet, plus a temporary file left by a crash.
    await fs.writeFile(path.join(dir, before[0]), 'stale');
    await fs.writeFile(path.join(dir, 'x.seg.tmp'), 'torn');

    const reopened = await DiskBuffer.open(dir, 1e6, quiet);
    expect(reopened.lines).toBe(1);
    expect((await reopened.oldest())!.events.map((event) => event.text)).toEqual(['c']);
    expect(await fs.readdir(dir)).toHaveLength(1);
  });
});
