import type { FileHandle } from 'node:fs/promises';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DirWatcher } from './dir-watcher';
import { inodeOf, fileKeyOf, parseFileKey } from './file-key';
import { PathMatcher } from './path-matcher';
import type {
  Checkpoint,
  FileTailerOptions,
  MultilineRule,
  TailBatch,
  TailedLine,
} from './tailer.types';
import { TrackedFile } from './tracked-file';

/** Lines, and moves of a file's position that carry no line, in the order they happened. */
type QueueItem = { line: TailedLine } | { position: Checkpoint } | { finished: string };

/** Bursts of watch events are answered with one look. */
const HINT_DELAY_MS = 20;

interface StartPosition {
  path: string;
  generation: number;
  offset: number;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result <= 0) {
    throw new Error(`FileTailer: ${name} must be a positive integer, got ${value}`);
  }
  return result;
}

function validMultiline(rule: MultilineRule | undefined): MultilineRule | undefined {
  if (!rule) return undefined;
  if (rule.match !== 'continuation') {
    throw new Error(`FileTailer: multiline.match must be "continuation", got "${rule.match}"`);
  }
  new RegExp(rule.pattern); // throws a SyntaxError that names the problem
  positiveInteger('multiline.maxLines', rule.maxLines, rule.maxLines);
  positiveInteger('multiline.flushMs', rule.flushMs, rule.flushMs);
  return rule;
}

/**
 * Follows the files matching a set of globs and hands their new lines to `onBatch`, awaiting it
 * before reading on. It never stores positions: each batch says where its files stand once it is
 * stored (see `TailBatch`), and the consumer hands the checkpoints it kept back on restart.
 *
 * Files are known by inode, so a renamed file (logrotate `create`) is read to its end while the
 * new file at its path is read from the beginning; a file that shrinks (copytruncate) starts a new
 * generation read from 0. Lines written between logrotate's copy and its truncate exist only in
 * the copy and cannot be recovered by any tailer.
 */
export class FileTailer {
  private readonly matcher: PathMatcher;
  private readonly watcher: DirWatcher;
  private readonly startAt: 'end' | 'beginning';
  private readonly multiline: MultilineRule | undefined;
  private readonly batchMaxLines: number;
  private readonly scanIntervalMs: number;
  private readonly pollIntervalMs: number;
  private readonly partialLineFlushMs: number;
  private readonly rotatedGraceMs: number;
  private readonly maxLineBytes: number;
  private readonly readBuffer: Buffer;

  /** Open files by inode. */
  private readonly files = new Map<string, TrackedFile>();
  /** Initial checkpoints no file has claimed yet, by inode. */
  private readonly resumable = new Map<string, Checkpoint>();
  private readonly checkpointedPaths = new Set<string>();
  private readonly queue: QueueItem[] = [];
  private queuedLines = 0;
  private readonly warned = new Set<string>();

  private firstScanDone = false;
  private nextScanAt = 0;
  private paused = false;
  private stopping = false;
  private running: Promise<void> | undefined;
  private poked = false;
  private wakeUp: (() => void) | undefined;
  private hintTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FileTailerOptions) {
    if (options.include.length === 0) throw new Error('FileTailer: include needs a glob');
    this.matcher = new PathMatcher(
      options.include,
      options.exclude ?? [],
      options.cwd ?? process.cwd(),
    );
    this.watcher = new DirWatcher((entriesChanged) => this.hint(entriesChanged));
    this.startAt = options.startAt ?? 'end';
    this.multiline = validMultiline(options.multiline);
    this.batchMaxLines = positiveInteger('batchMaxLines', options.batchMaxLines, 1000);
    this.scanIntervalMs = positiveInteger('scanIntervalMs', options.scanIntervalMs, 1000);
    this.pollIntervalMs = positiveInteger('pollIntervalMs', options.pollIntervalMs, 250);
    this.partialLineFlushMs = positiveInteger(
      'partialLineFlushMs',
      options.partialLineFlushMs,
      5000,
    );
    this.rotatedGraceMs = positiveInteger('rotatedGraceMs', options.rotatedGraceMs, 5000);
    this.maxLineBytes = positiveInteger('maxLineBytes', options.maxLineBytes, 64 * 1024);
    this.readBuffer = Buffer.alloc(
      positiveInteger('readChunkBytes', options.readChunkBytes, 64 * 1024),
    );
    this.loadCheckpoints(options.initialCheckpoints ?? []);
  }

  /** Whether a path is covered by this tailer's include and exclude globs. */
  matches(file: string): boolean {
    return this.matcher.matches(file);
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops reading and emitting; resolves once a running `onBatch` has returned and files are closed. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.hintTimer);
    this.poke();
    await this.running;
  }

  /** Stops reading (nothing piles up in memory) until `resume`, which goes on at the same offsets. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.poke();
  }

  /** Keeps, per inode, the checkpoint of the highest generation among those this tailer covers. */
  private loadCheckpoints(checkpoints: Checkpoint[]): void {
    for (const checkpoint of checkpoints) {
      const key = parseFileKey(checkpoint.fileKey);
      if (!key || !this.matcher.matches(checkpoint.path)) continue;
      this.checkpointedPaths.add(checkpoint.path);
      const known = this.resumable.get(key.inode);
      const knownGeneration = known ? parseFileKey(known.fileKey)!.generation : -1;
      if (key.generation > knownGeneration) {
        if (known) this.queue.push({ finished: known.fileKey });
        this.resumable.set(key.inode, checkpoint);
      } else {
        this.queue.push({ finished: checkpoint.fileKey });
      }
    }
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopping) {
        if (!this.paused) {
          if (Date.now() >= this.nextScanAt) await this.scan();
          const busy = await this.readFiles();
          // While a file has more to read, only full batches go: the rest fills up first.
          if (busy) continue;
          await this.emit(true);
        }
        await this.sleep(this.pollIntervalMs);
      }
    } catch (error) {
      this.stopping = true;
      if (this.options.onError) this.options.onError(error);
      else
        process.nextTick(() => {
          throw error;
        });
    } finally {
      this.watcher.close();
      await Promise.all([...this.files.values()].map((file) => file.close().catch(() => {})));
      this.files.clear();
    }
  }

  private async scan(): Promise<void> {
    this.nextScanAt = Date.now() + this.scanIntervalMs;
    const found = await this.matcher.scan();
    const seen = new Set<string>();
    for (const file of found) {
      if (this.stopping) return;
      const stats = await fs.stat(file, { bigint: true }).catch(() => undefined);
      if (!stats) continue; // gone since the glob saw it
      const inode = inodeOf(stats);
      seen.add(inode);
      if (!this.files.has(inode)) await this.track(file);
    }
    for (const file of this.files.values()) file.matched = seen.has(file.inode);
    if (!this.firstScanDone) {
      this.firstScanDone = true;
      await this.findRenamedWhileStopped();
    }
    this.watcher.update(new Set(found.map((file) => path.dirname(file))));
  }

  private async track(file: string): Promise<TrackedFile | undefined> {
    let handle: FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.warnOnce(file, error);
      return undefined;
    }
    try {
      // The identity of what was opened, which may differ from what the glob saw a moment ago.
      const stats = await handle.stat({ bigint: true });
      const inode = inodeOf(stats);
      if (this.files.has(inode)) {
        await handle.close();
        return undefined;
      }
      const start = this.startPosition(file, inode, Number(stats.size));
      const tracked = new TrackedFile({
        ...start,
        inode,
        handle,
        maxLineBytes: this.maxLineBytes,
        multiline: this.multiline,
      });
      this.files.set(inode, tracked);
      this.warned.delete(file);
      return tracked;
    } catch (error) {
      await handle.close().catch(() => {});
      this.warnOnce(file, error);
      return undefined;
    }
  }

  /**
   * A checkpointed file resumes at its checkpoint (or from 0 in a new generation if it shrank
   * meanwhile). A file the first scan finds without one starts at `startAt`, unless its path had
   * a checkpoint: then it replaced that file while we were stopped and is read whole, as is any
   * file that appears later.
   */
  private startPosition(file: string, inode: string, size: number): StartPosition {
    const checkpoint = this.resumable.get(inode);
    if (checkpoint) {
      this.resumable.delete(inode);
      const { generation } = parseFileKey(checkpoint.fileKey)!;
      if (size >= checkpoint.offset) {
        return { path: checkpoint.path, generation, offset: checkpoint.offset };
      }
      this.queue.push({ finished: checkpoint.fileKey });
      return this.moved({ path: checkpoint.path, generation: generation + 1, offset: 0 }, inode);
    }
    const fromEnd =
      !this.firstScanDone && this.startAt === 'end' && !this.checkpointedPaths.has(file);
    return this.moved({ path: file, generation: 0, offset: fromEnd ? size : 0 }, inode);
  }

  /** Queues where a file now starts, for the consumer to keep with the lines before it. */
  private moved(start: StartPosition, inode: string): StartPosition {
    const fileKey = fileKeyOf(inode, start.generation);
    this.queue.push({ position: { fileKey, path: start.path, offset: start.offset } });
    return start;
  }

  /**
   * Checkpointed files the first scan did not find were most likely renamed by a rotation while we
   * were stopped: look for them by inode beside their old path, and read them to their end.
   * Checkpoints still unclaimed after that are of files that are gone.
   */
  private async findRenamedWhileStopped(): Promise<void> {
    const dirs = new Set([...this.resumable.values()].map((c) => path.dirname(c.path)));
    for (const dir of dirs) {
      const names = await fs.readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        if (this.resumable.size === 0 || this.stopping) return;
        const file = path.join(dir, name);
        const stats = await fs.stat(file, { bigint: true }).catch(() => undefined);
        if (!stats?.isFile() || !this.resumable.has(inodeOf(stats))) continue;
        const tracked = await this.track(file);
        if (tracked) tracked.matched = false;
      }
    }
    for (const checkpoint of this.resumable.values()) {
      this.queue.push({ finished: checkpoint.fileKey });
    }
    this.resumable.clear();
  }

  /** Reads what the files have gained; true if some file has more to read right away. */
  private async readFiles(): Promise<boolean> {
    let more = false;
    for (const file of [...this.files.values()]) {
      if (this.paused || this.stopping) return false;
      try {
        more = (await this.readFile(file)) || more;
      } catch (error) {
        this.warnOnce(file.path, error);
      }
      await this.emit(false);
    }
    return more;
  }

  /**
   * Reads one file until its end or until a batch is full; true if it was cut short. A file found
   * read to its end is where waiting lines are flushed and a file that is gone is closed.
   */
  private async readFile(file: TrackedFile): Promise<boolean> {
    const size = await file.stat(Date.now());
    if (size < file.offset) this.startNextGeneration(file);
    if (file.offset === size) await this.closeOrFlushIdle(file);
    while (file.offset < size) {
      if (this.queuedLines >= this.batchMaxLines || this.paused || this.stopping) return true;
      const before = file.offset;
      this.enqueueLines(await file.read(this.readBuffer, Date.now()));
      if (file.offset === before) break;
    }
    this.warned.delete(file.path);
    return false;
  }

  /** The file shrank on the same inode (copytruncate): what it holds now is a new stream. */
  private startNextGeneration(file: TrackedFile): void {
    this.enqueueLines(file.flushAll(Date.now()));
    this.queue.push({ finished: file.fileKey });
    file.startNextGeneration();
    this.queue.push({ position: { fileKey: file.fileKey, path: file.path, offset: 0 } });
  }

  /**
   * A file its stat has just found read to its end: closed if it is gone and has not grown for
   * `rotatedGraceMs`, else it gives what has waited long enough. Not while paused: the stat may
   * be stale by the time reading resumes.
   */
  private async closeOrFlushIdle(file: TrackedFile): Promise<void> {
    if (this.paused || this.stopping) return;
    if (file.matched || file.quietMs < this.rotatedGraceMs) {
      this.enqueueLines(file.flushIdle(this.partialLineFlushMs));
      return;
    }
    this.enqueueLines(file.flushAll(Date.now()));
    this.queue.push({ finished: file.fileKey });
    this.files.delete(file.inode);
    await file.close().catch(() => {});
  }

  private enqueueLines(lines: TailedLine[]): void {
    for (const line of lines) this.queue.push({ line });
    this.queuedLines += lines.length;
  }

  /** Hands full batches to the consumer, or everything queued when `all`. */
  private async emit(all: boolean): Promise<void> {
    while (
      !this.stopping &&
      !this.paused &&
      (this.queuedLines >= this.batchMaxLines || (all && this.queue.length > 0))
    ) {
      await this.options.onBatch(this.takeBatch());
    }
  }

  private takeBatch(): TailBatch {
    const lines: TailedLine[] = [];
    const checkpoints = new Map<string, Checkpoint>();
    const finished: string[] = [];
    let taken = 0;
    for (; taken < this.queue.length; taken++) {
      const item = this.queue[taken];
      if ('line' in item) {
        if (lines.length === this.batchMaxLines) break;
        const { fileKey, path, offset } = item.line;
        lines.push(item.line);
        checkpoints.set(fileKey, { fileKey, path, offset });
      } else if ('position' in item) {
        checkpoints.set(item.position.fileKey, item.position);
      } else {
        checkpoints.delete(item.finished);
        finished.push(item.finished);
      }
    }
    this.queue.splice(0, taken);
    this.queuedLines -= lines.length;
    return { lines, checkpoints: [...checkpoints.values()], finished };
  }

  private warnOnce(file: string, error: unknown): void {
    if (this.warned.has(file)) return;
    this.warned.add(file);
    this.options.onWarning?.(`cannot read ${file}: ${(error as Error).message ?? error}`);
  }

  /** A watch event: look soon, and expand the globs again if entries were added or removed. */
  private hint(entriesChanged: boolean): void {
    if (this.stopping) return;
    if (entriesChanged) this.nextScanAt = 0;
    this.hintTimer ??= setTimeout(() => {
      this.hintTimer = undefined;
      this.poke();
    }, HINT_DELAY_MS);
  }

  private poke(): void {
    if (this.wakeUp) this.wakeUp();
    else this.poked = true;
  }

  private sleep(ms: number): Promise<void> {
    if (this.poked || this.stopping) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeUp = wake;
    });
  }
}
