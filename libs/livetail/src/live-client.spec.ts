import type { LiveTailLinesEvent, LiveTailSkippedEvent, LogRecord } from '@app/contracts';
import { LiveClient, type LiveClientOutput, type LiveTailLimits } from './live-client';
import type { CompiledLiveQuery } from './live-query';

let nextId = 1;
function record(message: string, level: LogRecord['level'] = 'info'): LogRecord {
  return {
    id: String(nextId++),
    ts: '2026-11-21T10:00:00.000000Z',
    receivedAt: '2026-11-21T10:00:00.000000Z',
    level,
    source: 'test',
    host: null,
    message,
    statusCode: null,
    method: null,
    path: null,
    latencyMs: null,
    fields: {},
    parseError: null,
  };
}

/** Matches lines containing `word`, highlighting its first occurrence. */
function contains(word: string): CompiledLiveQuery {
  return {
    text: word,
    matches: (log) => log.message.includes(word),
    spans: (message) => {
      const at = message.indexOf(word);
      return at < 0 ? [] : [[at, at + word.length]];
    },
  };
}

class FakeOutput implements LiveClientOutput {
  readonly sent: { event: LiveTailLinesEvent; ack: () => void }[] = [];
  readonly skips: LiveTailSkippedEvent[] = [];
  /** Everything in order, for checking where skip markers fall. */
  readonly stream: string[] = [];

  lines(event: LiveTailLinesEvent, ack: () => void): void {
    this.sent.push({ event, ack });
    this.stream.push(...event.lines.map((line) => line.message));
  }

  skipped(event: LiveTailSkippedEvent): void {
    this.skips.push(event);
    this.stream.push(`<skipped ${event.count} ${event.reason}>`);
  }

  ackAll(): void {
    for (const message of this.sent.splice(0)) message.ack();
  }
}

const batch = (prefix: string, count: number, size = 10) =>
  Array.from({ length: count }, (_, i) => record(`${prefix} ${i} ${'x'.repeat(size)}`));

describe('LiveClient', () => {
  it('sends nothing before a subscription, then one message per batch with highlights', () => {
    const output = new FakeOutput();
    const client = new LiveClient('c1', output);
    client.offer([record('boom one')]);
    expect(output.sent).toHaveLength(0);

    client.subscribe(contains('boom'), null);
    client.offer([record('boom one'), record('quiet'), record('a boom two')]);
    expect(output.sent).toHaveLength(1);
    expect(output.sent[0].event.lines.map((line) => [line.message, line.highlights])).toEqual([
      ['boom one', [[0, 4]]],
      ['a boom two', [[2, 6]]],
    ]);
    client.offer([record('quiet')]);
    expect(output.sent).toHaveLength(1); // no empty messages
  });

  it('filters by level', () => {
    const output = new FakeOutput();
    const client = new LiveClient('c1', output);
    client.subscribe(contains('disk'), ['error', 'critical']);
    client.offer([record('disk full', 'error'), record('disk 91%', 'warning')]);
    expect(output.stream).toEqual(['disk full']);
  });

  it('counts matching lines while paused, buffers nothing and reports them on resume', () => {
    const output = new FakeOutput();
    const client = new LiveClient('c1', output);
    client.subscribe(contains('hit'), null);
    client.pause();
    client.offer([record('hit 1'), record('miss'), record('hit 2')]);
    client.offer([record('hit 3')]);
    expect(output.sent).toHaveLength(0);
    client.resume();
    client.offer([record('hit 4')]);
    expect(output.stream).toEqual(['<skipped 3 paused>', 'hit 4']);
    client.pause();
    client.resume();
    expect(output.skips.at(-1)).toEqual({ count: 0, reason: 'paused' });
  });

  it('keeps unacknowledged data within the limits, drops the rest and says so once caught up', () => {
    const limits: LiveTailLimits = { maxUnackedLines: 10, maxUnackedBytes: 1_000_000 };
    const output = new FakeOutput();
    const client = new LiveClient('c1', output, limits);
    client.subscribe(contains('line'), null);
    client.offer(batch('line a', 6));
    client.offer(batch('line b', 6)); // 4 fit, 2 dropped
    client.offer(batch('line c', 3)); // dropped: still behind
    expect(client.stats()).toMatchObject({ unackedLines: 10, dropping: true, skippedSlow: 5 });
    expect(output.sent.map((message) => message.event.lines.length)).toEqual([6, 4]);

    output.sent[0].ack(); // 4 unacked: at most half the limit, so lines flow again
    expect(output.skips).toEqual([{ count: 5, reason: 'slow client' }]);
    client.offer(batch('line d', 2));
    expect(output.stream.slice(10)).toEqual([
      '<skipped 5 slow client>',
      'line d 0 xxxxxxxxxx',
      'line d 1 xxxxxxxxxx',
    ]);
    expect(client.stats()).toMatchObject({ peakUnackedLines: 10, dropping: false });
  });

  it('bounds bytes as well as lines, and never holds more than the limit whatever the client does', () => {
    const limits: LiveTailLimits = { maxUnackedLines: 1_000_000, maxUnackedBytes: 50_000 };
    const output = new FakeOutput();
    const client = new LiveClient('c1', output, limits);
    client.subscribe(contains('line'), null);
    for (let i = 0; i < 200; i++) client.offer(batch(`line ${i}`, 20, 100)); // never acknowledged
    const stats = client.stats();
    expect(stats.peakUnackedBytes).toBeLessThanOrEqual(50_000);
    expect(stats.linesSent + stats.skippedSlow).toBe(4000);
    expect(stats.skippedSlow).toBeGreaterThan(3000);
    const sentBytes = output.sent.reduce(
      (sum, message) => sum + JSON.stringify(message.event).length,
      0,
    );
    expect(sentBytes).toBeLessThanOrEqual(50_000);

    output.ackAll();
    expect(output.skips).toEqual([{ count: stats.skippedSlow, reason: 'slow client' }]);
  });

  it('drops a single line larger than the limit without getting stuck', () => {
    const output = new FakeOutput();
    const client = new LiveClient('c1', output, { maxUnackedLines: 100, maxUnackedBytes: 1000 });
    client.subscribe(contains('big'), null);
    client.offer([record(`big ${'x'.repeat(2000)}`)]);
    expect(output.stream).toEqual(['<skipped 1 slow client>']);
    client.offer([record('big but small')]);
    expect(output.stream).toEqual(['<skipped 1 slow client>', 'big but small']);
  });

  it('ignores a second acknowledgement of the same message', () => {
    const output = new FakeOutput();
    const client = new LiveClient('c1', output, { maxUnackedLines: 4, maxUnackedBytes: 1e6 });
    client.subscribe(contains('l'), null);
    client.offer(batch('l', 2));
    client.offer(batch('l', 2));
    output.sent[0].ack();
    output.sent[0].ack();
    expect(client.stats().unackedLines).toBe(2);
  });

  it('treats a query that throws on a line as not matching it', () => {
    const output = new FakeOutput();
    const client = new LiveClient('c1', output);
    client.subscribe(
      {
        text: 'x',
        matches: (log) => {
          if (log.message === 'bad') throw new Error('boom');
          return true;
        },
        spans: () => [],
      },
      null,
    );
    client.offer([record('bad'), record('good')]);
    expect(output.stream).toEqual(['good']);
  });
});
