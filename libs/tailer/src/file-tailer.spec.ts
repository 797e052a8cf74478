import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointMap } from './checkpoint-map';
import { FileTailer } from './file-tailer';
import type { Checkpoint, FileTailerOptions, TailBatch } from './tailer.types';
import { TrackedFile } from './tracked-file';

/** Polls until `probe` is truthy; fails after `timeoutMs` (of real time, even when Date is faked). */
async function waitFor(probe: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!probe()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const numbered = (from: number, to: number, prefix = 'line'): string[] =>
  Array.from({ length: to - from + 1 }, (_, index) => `${prefix} ${from + index}`);
const asText = (lines: string[]) => lines.map((line) => `${line}\n`).join('');

let dir: string;
const running: FileTailer[] = [];
const errors: unknown[] = [];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lookout-tailer-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((tailer) => tailer.stop()));
  await fs.rm(dir, { recursive: true, force: true });
  expect(errors.splice(0)).toEqual([]);
});

/** A started tailer over `dir` that records batches and keeps checkpoints as a consumer would. */
function tail(options: Partial<FileTailerOptions> = {}) {
  const batches: TailBatch[] = [];
  const checkpoints = new CheckpointMap(options.initialCheckpoints);
  const tailer = new FileTailer({
    include: [path.join(dir, '*.log')],
    startAt: 'beginning',
    pollIntervalMs: 20,
    scanIntervalMs: 100,
    rotatedGraceMs: 200,
    onError: (error) => errors.push(error),
    ...options,
    onBatch: async (batch) => {
      batches.push(batch);
      checkpoints.apply(batch);
      await options.onBatch?.(batch);
    },
  });
  running.push(tailer);
  tailer.start();
  const texts = () => batches.flatMap((batch) => batch.lines.map((line) => line.text));
  const lines = () => batches.flatMap((batch) => batch.lines);
  const until = (count: number) =>
    waitFor(() => texts().length >= count, `${count} lines (have ${texts().length})`);
  return { tailer, batches, checkpoints, texts, lines, until };
}

const file = (name: string) => path.join(dir, name);
const append = (name: string, lines: string[]) => fs.appendFile(file(name), asText(lines));

describe('FileTailer', () => {
  it('follows lines appended to a file, each with the offset just after it', async () => {
    await fs.writeFile(file('app.log'), 'a\nbb\n');
    const tailer = tail();
    await tailer.until(2);
    await fs.appendFile(file('app.log'), 'ccc\r\n');
    await tailer.until(3);
    expect(tailer.lines().map(({ text, offset }) => [text, offset])).toEqual([
      ['a', 2],
      ['bb', 5],
      ['ccc', 10],
    ]);
    const [checkpoint] = tailer.checkpoints.list();
    expect(checkpoint).toEqual({
      fileKey: tailer.lines()[0].fileKey,
      path: file('app.log'),
      offset: 10,
    });
    expect(checkpoint.fileKey).toMatch(/^\d+:\d+:0$/);
  });

  it('starts a file found at start-up at its end or at its beginning', async () => {
    await append('app.log', ['old 1', 'old 2']);
    const fromEnd = tail({ startAt: 'end' });
    const fromStart = tail({ startAt: 'beginning' });
    // The start position is a checkpoint too, so a restart before any new line resumes there.
    await waitFor(() => fromEnd.checkpoints.list()[0]?.offset === 12, 'the end position');
    await append('app.log', ['new']);
    await fromEnd.until(1);
    await fromStart.until(3);
    expect(fromEnd.texts()).toEqual(['new']);
    expect(fromStart.texts()).toEqual(['old 1', 'old 2', 'new']);
  });

  it('picks up files that start matching later, from their beginning, and honours exclude', async () => {
    await append('a.log', ['a 1']);
    const tailer = tail({ startAt: 'end', exclude: ['skip-*'] });
    await waitFor(() => tailer.batches.length > 0, 'the first scan');
    await append('b.log', ['b 1', 'b 2']);
    await append('skip-me.log', ['hidden']);
    await append('a.log', ['a 2']);
    await tailer.until(3);
    expect(tailer.texts().sort()).toEqual(['a 2', 'b 1', 'b 2']);
    expect(tailer.tailer.matches(file('skip-me.log'))).toBe(false);
    expect(tailer.tailer.matches(file('c.log'))).toBe(true);
  });

  it('reads a renamed file to its end, then the new file from its beginning (create rotation)', async () => {
    await append('app.log', numbered(1, 50));
    const tailer = tail({ include: [file('app.log')] });
    await tailer.until(50);
    await append('app.log', numbered(51, 60));
    await fs.rename(file('app.log'), file('app.log.1'));
    await append('app.log.1', numbered(61, 70)); // the program has not reopened its log yet
    await append('app.log', numbered(71, 100));
    await tailer.until(100);
    await append('app.log', numbered(101, 110));
    await tailer.until(110);

    expect(tailer.texts().sort()).toEqual(numbered(1, 110).sort());
    const keys = [...new Set(tailer.lines().map((line) => line.fileKey))];
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      const numbers = tailer
        .lines()
        .filter((l) => l.fileKey === key)
        .map((l) => Number(l.text.slice(5)));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    // Every line keeps the path the file was found at.
    expect(new Set(tailer.lines().map((line) => line.path))).toEqual(new Set([file('app.log')]));
    // The old file is closed after the grace period, and its checkpoint may be forgotten.
    await waitFor(() => tailer.batches.some((b) => b.finished.includes(keys[0])), 'old finished');
    expect(tailer.checkpoints.list().map((c) => c.fileKey)).toEqual([keys[1]]);
  });

  it('starts a new generation from 0 when a file is truncated in place (copytruncate)', async () => {
    await append('app.log', numbered(1, 50));
    const tailer = tail();
    await tailer.until(50);
    await fs.copyFile(file('app.log'), file('app.log.1'));
    await fs.truncate(file('app.log'), 0);
    await append('app.log', numbered(51, 55));
    await tailer.until(55);
    await append('app.log', numbered(56, 120));
    await tailer.until(120);

    expect(tailer.texts()).toEqual(numbered(1, 120));
    const [first, second] = [tailer.lines()[0].fileKey, tailer.lines()[119].fileKey];
    expect(second).toBe(first.replace(/:0$/, ':1'));
    expect(tailer.batches.some((batch) => batch.finished.includes(first))).toBe(true);
    expect(tailer.checkpoints.list()).toEqual([
      {
        fileKey: second,
        path: file('app.log'),
        offset: Buffer.byteLength(asText(numbered(51, 120))),
      },
    ]);
  });

  it('resumes from checkpoints without loss or duplicate, even across a rotation while stopped', async () => {
    await append('app.log', numbered(1, 20));
    const first = tail({ include: [file('app.log')] });
    await first.until(20);
    await first.tailer.stop();
    const saved: Checkpoint[] = first.checkpoints.list();

    await append('app.log', numbered(21, 30));
    await fs.rename(file('app.log'), file('app.log.1'));
    await append('app.log', numbered(31, 40));
    const second = tail({ include: [file('app.log')], startAt: 'end', initialCheckpoints: saved });
    await second.until(20);
    await append('app.log', numbered(41, 45));
    await second.until(25);
    expect(second.texts().sort()).toEqual(numbered(21, 45).sort());
    await second.tailer.stop();

    const third = tail({
      include: [file('app.log')],
      initialCheckpoints: second.checkpoints.list(),
    });
    await append('app.log', numbered(46, 50));
    await third.until(5);
    expect(third.texts()).toEqual(numbered(46, 50));
  });

  it('joins a Java stack trace and a Python traceback into one event each', async () => {
    const java = [
      '2024-05-01 12:00:00 ERROR request failed',
      'java.lang.IllegalStateException: boom',
      '\tat com.example.Service.run(Service.java:10)',
      'Caused by: java.io.IOException: disk',
      '\tat com.example.Disk.read(Disk.java:3)',
      '\t... 2 more',
    ];
    const python = [
      '2024-05-01 12:00:02 ERROR job crashed',
      'Traceback (most recent call last):',
      '  File "job.py", line 3, in <module>',
      '    main()',
      'ValueError: bad input',
    ];
    await append('app.log', [...java, '2024-05-01 12:00:01 INFO next', ...python]);
    const tailer = tail({
      multiline: {
        pattern: '^(\\s|Caused by:|Traceback|[\\w.]+(Error|Exception)\\b)',
        match: 'continuation',
        maxLines: 100,
        flushMs: 100,
      },
    });
    // The traceback is last in the file: it is emitted once no line has come for flushMs.
    await tailer.until(3);
    expect(tailer.texts()).toEqual([
      java.join('\n'),
      '2024-05-01 12:00:01 INFO next',
      python.join('\n'),
    ]);
    expect(tailer.lines()[2].offset).toBe((await fs.stat(file('app.log'))).size);
  });

  it('cuts a multi-line event at maxLines', async () => {
    await append('app.log', ['head', ' 1', ' 2', ' 3', ' 4', 'tail']);
    const tailer = tail({
      multiline: { pattern: '^\\s', match: 'continuation', maxLines: 3, flushMs: 100 },
    });
    await tailer.until(3);
    expect(tailer.texts()).toEqual(['head\n 1\n 2', ' 3\n 4', 'tail']);
  });

  it('holds a partial last line until it is completed, or emits it after partialLineFlushMs', async () => {
    await fs.writeFile(file('app.log'), 'complete\npart');
    const tailer = tail({ partialLineFlushMs: 1000 });
    await tailer.until(1);
    await fs.appendFile(file('app.log'), 'ial\n');
    await tailer.until(2);
    await fs.appendFile(file('app.log'), 'dangling');
    await tailer.until(3);
    expect(tailer.lines().map(({ text, offset }) => [text, offset])).toEqual([
      ['complete', 9],
      ['partial', 17],
      ['dangling', 25],
    ]);
  });

  it('cuts lines longer than maxLineBytes and flags them', async () => {
    await append('app.log', ['x'.repeat(5000), 'short']);
    const tailer = tail({ maxLineBytes: 100, readChunkBytes: 1024 });
    await tailer.until(2);
    expect(tailer.lines().map(({ text, truncatedFrom }) => [text.length, truncatedFrom])).toEqual([
      [100, 5000],
      [5, undefined],
    ]);
  });

  it('emits batches of at most batchMaxLines and awaits the consumer between them', async () => {
    await append('app.log', numbered(1, 2500));
    let inHandler = 0;
    let overlapped = false;
    const tailer = tail({
      batchMaxLines: 1000,
      onBatch: async () => {
        overlapped ||= inHandler++ > 0;
        await new Promise((resolve) => setTimeout(resolve, 20));
        inHandler--;
      },
    });
    await tailer.until(2500);
    expect(tailer.batches.map((batch) => batch.lines.length)).toEqual([1000, 1000, 500]);
    expect(overlapped).toBe(false);
    expect(tailer.texts()).toEqual(numbered(1, 2500));
  });

  it('reads nothing while paused and goes on at the same offset on resume', async () => {
    await append('app.log', numbered(1, 5));
    const tailer = tail();
    await tailer.until(5);
    tailer.tailer.pause();
    await append('app.log', numbered(6, 10));
    await new Promise((resolve) => setTimeout(resolve, 300)); // many poll intervals
    expect(tailer.texts()).toHaveLength(5);
    tailer.tailer.resume();
    await tailer.until(10);
    expect(tailer.texts()).toEqual(numbered(1, 10));
  });
});

/**
 * The tailer's clock is `Date.now()`: faking `Date` alone lets a test decide when time passes
 * (a pause "lasts" as long as it says), while timers, polling and file I/O stay real.
 */
describe('FileTailer idle flushes (time moved by the test)', () => {
  let statsOf: (trackedPath: string) => number;

  beforeEach(() => {
    jest.useFakeTimers({
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    // Each stat is where the tailer looks at a file: counting them tells that it has looked again.
    const stat = jest.spyOn(TrackedFile.prototype, 'stat');
    statsOf = (trackedPath) => stat.mock.contexts.filter((f) => f.path === trackedPath).length;
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  const advance = (ms: number) => jest.setSystemTime(Date.now() + ms);
  /** Waits until the tailer has looked at `name` twice more: at least one whole look since now. */
  const lookedAgain = (name: string) => {
    const seen = statsOf(file(name));
    return waitFor(() => statsOf(file(name)) >= seen + 2, `two more looks at ${name}`);
  };

  /** A tailer that pauses itself, as backpressure does, while it hands over chosen batches. */
  function pausable(options: Partial<FileTailerOptions> = {}) {
    let pausesLeft = 0;
    const tailer = tail({
      ...options,
      onBatch: async (batch) => {
        // The queue went over its high-water mark while this batch was being queued.
        if (batch.lines.length > 0 && pausesLeft > 0) {
          pausesLeft--;
          tailer.tailer.pause();
        }
      },
    });
    return { ...tailer, pauseOnNextBatches: (count: number) => (pausesLeft = count) };
  }

  it('emits a partial last line once the file has not grown for partialLineFlushMs', async () => {
    await fs.writeFile(file('app.log'), 'done\nhalf');
    const tailer = tail({ partialLineFlushMs: 5000 });
    await tailer.until(1);
    await lookedAgain('app.log');
    advance(4999);
    await lookedAgain('app.log');
    expect(tailer.texts()).toEqual(['done']);
    advance(1);
    await tailer.until(2);
    expect(tailer.lines().map(({ text, start, offset }) => [text, start, offset])).toEqual([
      ['done', 0, 5],
      ['half', 5, 9],
    ]);
  });

  it('keeps a half line read before a pause longer than partialLineFlushMs whole', async () => {
    const before = 'seq=1\nseq=2\nseq=3\nseq=4\nseq=';
    await fs.writeFile(file('app.log'), before);
    const tailer = pausable({ batchMaxLines: 2, partialLineFlushMs: 5000 });
    // One read takes the whole file: two full batches and the half line; the first batch pauses.
    tailer.pauseOnNextBatches(1);
    await tailer.until(2);
    advance(10_000);
    await fs.appendFile(file('app.log'), '5\nseq=6\n');
    tailer.tailer.resume();
    await tailer.until(6);
    expect(tailer.lines().map(({ text, start, offset }) => [text, start, offset])).toEqual([
      ['seq=1', 0, 6],
      ['seq=2', 6, 12],
      ['seq=3', 12, 18],
      ['seq=4', 18, 24],
      ['seq=5', 24, 30],
      ['seq=6', 30, 36],
    ]);
  });

  it('keeps a multi-line event open across a pause longer than flushMs', async () => {
    await fs.writeFile(file('app.log'), 'a 1\na 2\na 3\nERROR boom\n  at one\n');
    const tailer = pausable({
      batchMaxLines: 1,
      multiline: { pattern: '^\\s', match: 'continuation', maxLines: 100, flushMs: 1000 },
    });
    tailer.pauseOnNextBatches(1);
    await tailer.until(1);
    advance(10_000);
    await fs.appendFile(file('app.log'), '  at two\nnext\n');
    tailer.tailer.resume();
    await tailer.until(4);
    await lookedAgain('app.log');
    advance(1000);
    await tailer.until(5);
    expect(tailer.lines().map(({ text, start, offset }) => [text, start, offset])).toEqual([
      ['a 1', 0, 4],
      ['a 2', 4, 8],
      ['a 3', 8, 12],
      ['ERROR boom\n  at one\n  at two', 12, 41],
      ['next', 41, 46],
    ]);
  });

  it('waits for an unfinished line before emitting the multi-line event it may continue', async () => {
    await fs.writeFile(file('app.log'), 'ERROR boom\n  at one\n  at t');
    const tailer = tail({
      partialLineFlushMs: 5000,
      multiline: { pattern: '^\\s', match: 'continuation', maxLines: 100, flushMs: 1000 },
    });
    await lookedAgain('app.log');
    advance(4000);
    await lookedAgain('app.log');
    expect(tailer.texts()).toEqual([]);
    await fs.appendFile(file('app.log'), 'wo\nnext\n');
    await tailer.until(1);
    expect(tailer.lines().map(({ text, start, offset }) => [text, start, offset])).toEqual([
      ['ERROR boom\n  at one\n  at two', 0, 29],
    ]);
  });

  it('reads what a rotated file gained during a pause before closing it', async () => {
    await fs.writeFile(file('a.log'), 'a 1\n');
    const tailer = pausable({ batchMaxLines: 1, rotatedGraceMs: 5000 });
    await tailer.until(1);
    // Tracked after a.log, so a round cut short by a pause stops before it.
    await fs.writeFile(file('b.log'), 'b 1\n');
    advance(100); // a scan is due
    await tailer.until(2);
    await fs.rename(file('b.log'), file('b.old'));
    advance(100);
    await lookedAgain('b.log'); // after a scan that no longer finds it
    const oldKey = tailer.lines()[1].fileKey;

    tailer.pauseOnNextBatches(1);
    await append('a.log', ['a 2', 'a 3', 'a 4']);
    await tailer.until(3);
    await fs.appendFile(file('b.old'), 'b 2\n'); // its writer has not reopened its log yet
    advance(10_000);
    tailer.pauseOnNextBatches(1); // and again at once, before b.old's turn
    tailer.tailer.resume();
    await tailer.until(4);
    tailer.tailer.resume();
    const finished = () => tailer.batches.some((batch) => batch.finished.includes(oldKey));
    await waitFor(() => tailer.texts().includes('b 2') || finished(), 'b 2 or b.old finished');
    expect(finished()).toBe(false);
    expect(tailer.texts().sort()).toEqual(['a 1', 'a 2', 'a 3', 'a 4', 'b 1', 'b 2']);

    // Once quiet for rotatedGraceMs it is closed and its checkpoint may be forgotten.
    await lookedAgain('b.log');
    advance(5000);
    await waitFor(finished, 'b.old finished');
    expect(tailer.checkpoints.list().map((c) => c.path)).toEqual([file('a.log')]);
  });
});
