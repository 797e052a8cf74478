import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CursorReadable, type RowSource } from './cursor-stream';

/** A fake cursor over 0..total-1 that records what was asked of it. */
function fakeSource(total: number, batchSize: number, failAtFetch?: number) {
  let next = 0;
  const log = { fetches: 0, closedWith: undefined as Error | null | undefined, closes: 0 };
  const source: RowSource<number> = {
    async fetch() {
      log.fetches += 1;
      await new Promise((resolve) => setImmediate(resolve));
      if (failAtFetch === log.fetches) throw new Error('statement timeout');
      const rows: number[] = [];
      while (rows.length < batchSize && next < total) rows.push(next++);
      return rows;
    },
    async close(error) {
      log.closes += 1;
      log.closedWith = error;
    },
  };
  return { source, log };
}

const encode = (rows: number[]) => rows.map((row) => `${row}\n`).join('');

describe('CursorReadable', () => {
  it('streams every row, then closes the source cleanly before ending', async () => {
    const { source, log } = fakeSource(2500, 1000);
    let text = '';
    await pipeline(
      new CursorReadable(source, { batchSize: 1000, encode, prefix: 'n\n', stallTimeoutMs: 5000 }),
      new Writable({
        write(chunk, _encoding, done) {
          text += String(chunk);
          done();
        },
      }),
    );
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('n');
    expect(lines.slice(1).map(Number)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(log).toEqual({ fetches: 3, closes: 1, closedWith: null });
  });

  it('goes on after a batch fetched in advance (pushed synchronously in the first read)', async () => {
    const { source, log } = fakeSource(2500, 1000);
    const first = await source.fetch();
    let lines = 0;
    await pipeline(
      new CursorReadable(source, {
        batchSize: 1000,
        encode,
        firstBatch: first,
        stallTimeoutMs: 5000,
      }),
      new Writable({
        write(chunk, _encoding, done) {
          lines += String(chunk).split('\n').length - 1;
          done();
        },
      }),
    );
    expect(lines).toBe(2500);
    expect(log).toEqual({ fetches: 3, closes: 1, closedWith: null });
  });

  it('fetches only as fast as the consumer reads (backpressure)', async () => {
    const { source, log } = fakeSource(1_000_000, 1000);
    const stream = new CursorReadable(source, { batchSize: 1000, encode, stallTimeoutMs: 5000 });
    stream.pause();
    stream.on('data', () => undefined); // flowing would read everything; paused it must not
    stream.pause();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // One batch is ~6.9 kB; the 64 kB buffer fills after about ten, then fetching stops.
    expect(log.fetches).toBeLessThan(15);
    stream.destroy();
    await new Promise((resolve) => stream.on('close', resolve));
    expect(log.closes).toBe(1);
    expect(log.closedWith).toBeInstanceOf(Error);
  });

  it('closes the source with the error when a fetch fails', async () => {
    const { source, log } = fakeSource(10_000, 1000, 2);
    const stream = new CursorReadable(source, { batchSize: 1000, encode, stallTimeoutMs: 5000 });
    await expect(
      pipeline(
        stream,
        new Writable({
          write(_chunk, _encoding, done) {
            done();
          },
        }),
      ),
    ).rejects.toThrow('statement timeout');
    expect(log.closes).toBe(1);
    expect(log.closedWith?.message).toBe('statement timeout');
  });

  it('gives up on a consumer that stops reading', async () => {
    const { source, log } = fakeSource(1_000_000, 1000);
    const stream = new CursorReadable(source, { batchSize: 1000, encode, stallTimeoutMs: 100 });
    stream.on('error', () => undefined);
    stream.once('data', () => stream.pause());
    await new Promise((resolve) => stream.on('close', resolve));
    expect(log.closes).toBe(1);
    expect(log.closedWith?.message).toMatch(/stalled/);
  });
});
