import type { LogRecord } from '@app/contracts';
import { LiveQueryCompiler, LiveQueryError } from './live-query';

// Holds for any query language behind the seam (the fallback today, libs/storage's tomorrow).
describe('LiveQueryCompiler', () => {
  const compiler = new LiveQueryCompiler();
  const line = (message: string) => ({ message, level: 'info', fields: {} }) as LogRecord;

  it('compiles an empty query to one that matches every line and highlights nothing', () => {
    const query = compiler.compile('');
    expect(query.matches(line('anything'))).toBe(true);
    expect(query.spans('anything')).toEqual([]);
  });

  it('compiles a word query to a matcher and highlighter', () => {
    const query = compiler.compile('timeout');
    expect(query.text).toBe('timeout');
    expect(query.matches(line('upstream timeout after 30s'))).toBe(true);
    expect(query.matches(line('all good'))).toBe(false);
    expect(query.spans('upstream timeout after 30s')).toEqual([[9, 16]]);
  });

  it('turns a syntax error into a LiveQueryError with position and expected', () => {
    let caught: unknown;
    try {
      compiler.compile('error "disk');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LiveQueryError);
    const error = caught as LiveQueryError;
    expect(error.message).not.toBe('');
    expect(typeof error.position).toBe('number');
    expect(Array.isArray(error.expected)).toBe(true);
  });
});
