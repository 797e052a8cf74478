import type { SplitLine } from './line-splitter';
import type { MultilineRule } from './tailer.types';

interface OpenEvent {
  lines: string[];
  start: number;
  end: number;
  truncatedFrom?: number;
  lastLineAt: number;
}

/**
 * Joins continuation lines (those matching the rule's pattern) to the line before them. An event
 * is complete when a line that is not a continuation arrives, when it holds `maxLines` lines, or
 * when no line has arrived for `flushMs`. A continuation line with nothing before it starts an
 * event of its own.
 */
export class MultilineAssembler {
  private readonly continuation: RegExp;
  private open: OpenEvent | undefined;

  constructor(private readonly rule: MultilineRule) {
    this.continuation = new RegExp(rule.pattern);
  }

  /** Feeds one line; returns the events it completes. */
  push(line: SplitLine, now: number): SplitLine[] {
    const done: SplitLine[] = [];
    if (this.open && this.continuation.test(line.text)) {
      this.open.lines.push(line.text);
      this.open.end = line.end;
      this.open.truncatedFrom ??= line.truncatedFrom;
      this.open.lastLineAt = now;
    } else {
      const previous = this.take();
      if (previous) done.push(previous);
      this.open = {
        lines: [line.text],
        start: line.start,
        end: line.end,
        truncatedFrom: line.truncatedFrom,
        lastLineAt: now,
      };
    }
    if (this.open.lines.length >= this.rule.maxLines) done.push(this.take()!);
    return done;
  }

  /** The open event, if no line has joined it for `flushMs`. */
  flushIfIdle(now: number): SplitLine | undefined {
    return this.open && now - this.open.lastLineAt >= this.rule.flushMs ? this.take() : undefined;
  }

  /** The open event, whatever its age. */
  take(): SplitLine | undefined {
    const open = this.open;
    if (!open) return undefined;
    this.open = undefined;
    const event: SplitLine = { text: open.lines.join('\n'), start: open.start, end: open.end };
    if (open.truncatedFrom !== undefined) event.truncatedFrom = open.truncatedFrom;
    return event;
  }
}
