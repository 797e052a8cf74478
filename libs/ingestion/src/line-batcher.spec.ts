import type { RawBatchPayload, RawLine } from '@app/queue';
import { LineBatcher } from './line-batcher';

const line = (raw: string): RawLine => ({ raw, receivedAt: 0, source: 'test' });

describe('LineBatcher', () => {
  afterEach(() => jest.useRealTimers());

  it('cuts a batch as soon as it is full, in pieces of at most maxLines', async () => {
    const sent: RawBatchPayload[][] = [];
    const batcher = new LineBatcher({
      maxLines: 2,
      flushMs: 10_000,
      enqueue: async (batches) => void sent.push(batches),
    });
    await batcher.add(['a', 'b', 'c'].map(line));
    expect(sent).toHaveLength(1);
    expect(sent[0].map((batch) => batch.lines.map((l) => l.raw))).toEqual([['a', 'b'], ['c']]);
    expect(new Set(sent[0].map((batch) => batch.batchId)).size).toBe(2);
  });

  it('during traffic, flushes a partial batch after flushMs and only then resolves the callers', async () => {
    jest.useFakeTimers();
    const sent: RawBatchPayload[][] = [];
    const batcher = new LineBatcher({
      maxLines: 100,
      flushMs: 50,
      enqueue: async (batches) => void sent.push(batches),
    });
    // Traffic: a first line (sent at once, after the quiet spell), then more within flushMs.
    await Promise.all([batcher.add([line('first')]), jest.advanceTimersByTimeAsync(1)]);
    sent.length = 0;
    jest.advanceTimersByTime(10);
    let resolved = 0;
    void batcher.add([line('a')]).then(() => resolved++);
    void batcher.add([line('b')]).then(() => resolved++);
    await Promise.resolve();
    expect(sent).toHaveLength(0);
    expect(batcher.pendingLines).toBe(2);
    jest.advanceTimersByTime(50);
    await jest.runAllTimersAsync();
    expect(sent).toHaveLength(1);
    expect(sent[0][0].lines.map((l) => l.raw)).toEqual(['a', 'b']);
    expect(resolved).toBe(2);
    expect(batcher.pendingLines).toBe(0);
  });

  it('after a quiet spell, sends at once what arrives in the same turn of the event loop', async () => {
    jest.useFakeTimers();
    const sent: RawBatchPayload[][] = [];
    const batcher = new LineBatcher({
      maxLines: 100,
      flushMs: 50,
      enqueue: async (batches) => void sent.push(batches),
    });
    const first = Promise.all([batcher.add([line('a')]), batcher.add([line('b')])]);
    await jest.advanceTimersByTimeAsync(0);
    await first;
    expect(sent.map((batches) => batches[0].lines.map((l) => l.raw))).toEqual([['a', 'b']]);
    // Right after, lines are batched again for flushMs…
    void batcher.add([line('c')]);
    await jest.advanceTimersByTimeAsync(49);
    expect(sent).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
    // …and after another quiet spell go at once again.
    await jest.advanceTimersByTimeAsync(100);
    void batcher.add([line('d')]);
    await jest.advanceTimersByTimeAsync(0);
    expect(sent.map((batches) => batches[0].lines[0].raw)).toEqual(['a', 'c', 'd']);
  });

  it('rejects every caller of a batch that could not be enqueued', async () => {
    const batcher = new LineBatcher({
      maxLines: 1,
      flushMs: 10,
      enqueue: async () => {
        throw new Error('redis down');
      },
    });
    await expect(batcher.add([line('a')])).rejects.toThrow('redis down');
    expect(batcher.pendingLines).toBe(0);
  });
});

describe('LineBatcher.flush', () => {
  it('resolves at once when nothing is waiting', async () => {
    const batcher = new LineBatcher({ maxLines: 10, flushMs: 10, enqueue: async () => undefined });
    await expect(batcher.flush()).resolves.toBeUndefined();
  });
});
