import { MultilineAssembler } from './multiline-assembler';
import type { SplitLine } from './line-splitter';
import type { MultilineRule } from './tailer.types';

const rule = (overrides: Partial<MultilineRule> = {}): MultilineRule => ({
  pattern: '^\\s',
  match: 'continuation',
  maxLines: 100,
  flushMs: 1000,
  ...overrides,
});

/** Feeds lines (end offsets 1, 2, 3…) at time 0 and gives the events' texts and ends. */
function assemble(assembler: MultilineAssembler, texts: string[]): SplitLine[] {
  return texts.flatMap((text, index) => assembler.push({ text, start: index, end: index + 1 }, 0));
}

describe('MultilineAssembler', () => {
  it('joins continuation lines to the line before and ends an event at the next plain line', () => {
    const assembler = new MultilineAssembler(rule());
    expect(assemble(assembler, ['first', '  more', '\tmore', 'second', 'third'])).toEqual([
      { text: 'first\n  more\n\tmore', start: 0, end: 3 },
      { text: 'second', start: 3, end: 4 },
    ]);
    expect(assembler.take()).toEqual({ text: 'third', start: 4, end: 5 });
  });

  it('emits an event as soon as it holds maxLines lines', () => {
    const assembler = new MultilineAssembler(rule({ maxLines: 3 }));
    expect(assemble(assembler, ['a', ' 1', ' 2', ' 3', ' 4', 'b'])).toEqual([
      { text: 'a\n 1\n 2', start: 0, end: 3 },
      { text: ' 3\n 4', start: 3, end: 5 },
    ]);
  });

  it('emits the open event once no line has joined it for flushMs', () => {
    const assembler = new MultilineAssembler(rule({ flushMs: 100 }));
    assembler.push({ text: 'a', start: 1, end: 2 }, 0);
    assembler.push({ text: ' b', start: 2, end: 5 }, 50);
    expect(assembler.flushIfIdle(149)).toBeUndefined();
    expect(assembler.flushIfIdle(150)).toEqual({ text: 'a\n b', start: 1, end: 5 });
    expect(assembler.flushIfIdle(1000)).toBeUndefined();
  });

  it('keeps the first truncation mark of its lines', () => {
    const assembler = new MultilineAssembler(rule());
    assembler.push({ text: 'a', start: 0, end: 1 }, 0);
    assembler.push({ text: ' b', start: 1, end: 2, truncatedFrom: 900 }, 0);
    expect(assembler.take()).toEqual({ text: 'a\n b', start: 0, end: 2, truncatedFrom: 900 });
  });
});
