import { watch, type FSWatcher } from 'node:fs';

/**
 * Watches the directories of the tailed files and calls back on any change there. Only a hint
 * that makes the tailer look sooner: polling is what finds changes reliably (rotation, network
 * file systems, watch limits), so a directory that cannot be watched is simply polled.
 */
export class DirWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly unwatchable = new Set<string>();

  constructor(private readonly onChange: (entriesChanged: boolean) => void) {}

  /** Watches exactly these directories. */
  update(dirs: Set<string>): void {
    for (const [dir, watcher] of this.watchers) {
      if (!dirs.has(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (this.watchers.has(dir) || this.unwatchable.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (event) =>
          this.onChange(event === 'rename'),
        );
        watcher.on('error', () => this.giveUp(dir));
        this.watchers.set(dir, watcher);
      } catch {
        this.unwatchable.add(dir);
      }
    }
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private giveUp(dir: string): void {
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
    this.unwatchable.add(dir);
  }
}
