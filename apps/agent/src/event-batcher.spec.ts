import { EventBatcher, type OutgoingBatch } from './event-batcher';

const events = (...texts: string[]) => texts.map((text) => ({ text, path: 'p' }));
const update = (offset: number) => ({
  checkpoints: [{ fileKey: '1:1:0', path: 'p', offset }],
  finished: [],
});

describe('EventBatcher', () => {
  it('cuts full batches and gives each update to the batch holding its last event', async () => {
    const delivered: OutgoingBatch[] = [];
    const batcher = new EventBatcher({
      maxLines: 2,
      flushMs: 10_000,
      deliver: async (batch) => void delivered.push(batch),
    });
    const done = batcher.add(events('a', 'b', 'c'), update(3));
    await Promise.resolve();
    expect(delivered.map((batch) => batch.events.length)).toEqual([2]);
    expect(delivered[0].updates).toEqual([]);
    await batcher.flush();
    await done;
    expect(delivered[1]).toEqual({ events: events('c'), updates: [update(3)] });
    // A batch filled exactly by one add carries that add's update.
    await batcher.add(events('d', 'e'), update(5));
    expect(delivered[2]).toEqual({ events: events('d', 'e'), updates: [update(5)] });
  });

  it('resolves an add only once its batch is delivered, after flushMs', async () => {
    const delivered: OutgoingBatch[] = [];
    const batcher = new EventBatcher({
      maxLines: 100,
      flushMs: 20,
      deliver: async (batch) => void delivered.push(batch),
    });
    await batcher.add(events('a'), update(1));
    expect(delivered).toEqual([{ events: events('a'), updates: [update(1)] }]);
  });

  it('passes an update without events on at once, in order, and reports failures to its caller', async () => {
    const order: string[] = [];
    const batcher = new EventBatcher({
      maxLines: 1,
      flushMs: 10_000,
      deliver: async (batch) => {
        order.push(batch.events.map((event) => event.text).join() || 'update only');
        if (batch.events[0]?.text === 'bad') throw new Error('refused');
      },
    });
    const first = batcher.add(events('a'), update(1));
    const second = batcher.add([], update(2));
    await expect(Promise.all([first, second])).resolves.toBeDefined();
    await expect(batcher.add(events('bad'), update(3))).rejects.toThrow('refused');
    expect(order).toEqual(['a', 'update only', 'bad']);
  });
});
