import { execFile } from 'node:child_process';
import { compilePattern } from './pattern-engine';
import { PatternError } from './pattern-error';

/** Classic catastrophic-backtracking patterns, each with the input that makes V8 explode. */
const CATASTROPHIC = [
  { pattern: '^(a+)+$', input: 'a'.repeat(50_000) + '!' },
  { pattern: '(a|aa)*c', input: 'a'.repeat(50_000) + '!' },
  { pattern: '(x+x+)+y', input: 'x'.repeat(50_000) + '!' },
];

/** Runs V8's RegExp in a child process, so a hang kills the child and not the test run. */
function v8InChild(
  pattern: string,
  input: string,
  timeoutMs: number,
): Promise<{ killed: boolean; stdout: string }> {
  const script = 'process.stdout.write(String(new RegExp(process.argv[1]).test(process.argv[2])))';
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-e', script, pattern, input],
      { timeout: timeoutMs },
      (error, stdout) => resolve({ killed: error?.killed === true, stdout }),
    );
  });
}

function refusal(source: string, customPatterns?: Record<string, string>): string {
  try {
    compilePattern(source, { customPatterns });
  } catch (error) {
    expect(error).toBeInstanceOf(PatternError);
    return (error as Error).message;
  }
  throw new Error(`compiled: ${source}`);
}

describe('compilePattern: why user patterns run on RE2', () => {
  it.each(CATASTROPHIC)('RE2 answers $pattern at once (no match)', ({ pattern, input }) => {
    expect(compilePattern(pattern).match(input)).toBeUndefined();
  });

  // The same patterns on V8's backtracking engine would hold a parse worker for longer than the
  // age of the universe; the child is killed at the timeout instead of answering.
  it('V8 RegExp does not answer the same inputs within 2 s', async () => {
    const runs = await Promise.all(
      CATASTROPHIC.map(({ pattern, input }) => v8InChild(pattern, input, 2000)),
    );
    expect(runs.map((run) => run.killed)).toEqual([true, true, true]);
  });

  it('the child harness answers a benign pattern (so the kill above is the regex)', async () => {
    expect(await v8InChild('^a+$', 'aaa', 10_000)).toEqual({ killed: false, stdout: 'true' });
  });
});

describe('compilePattern: grok', () => {
  it('expands nested references and captures named fields', () => {
    const pattern = compilePattern('^%{IP:client} %{WORD:verb} %{URIPATHPARAM:request}$');
    expect(pattern.match('10.1.2.3 GET /a/b?c=1')).toEqual({
      client: '10.1.2.3',
      verb: 'GET',
      request: '/a/b?c=1',
    });
    expect(pattern.match('not a request')).toBeUndefined();
    expect(pattern.fields).toEqual(['client', 'verb', 'request']);
  });

  it('converts int and float captures; text that is not a number stays text', () => {
    const pattern = compilePattern('%{NUMBER:a:int} %{NUMBER:b:float} %{NOTSPACE:c:int}');
    expect(pattern.match('12.7 0.25 n/a')).toEqual({ a: 12, b: 0.25, c: 'n/a' });
  });

  it('allows dotted field names in references and named groups', () => {
    const pattern = compilePattern('%{IP:client.ip} (?<user.name>\\w+) (?P<http.status>\\d+)');
    expect(pattern.match('::1 bob 404')).toEqual({
      'client.ip': '::1',
      'user.name': 'bob',
      'http.status': '404',
    });
  });

  it('takes the first alternative that matched when a field is named twice', () => {
    const pattern = compilePattern('^(?:%{IP:addr}|\\[%{IP:addr}\\])$');
    expect(pattern.match('[10.0.0.1]')).toEqual({ addr: '10.0.0.1' });
    expect(pattern.match('10.0.0.2')).toEqual({ addr: '10.0.0.2' });
  });

  it('uses custom patterns, which may refer to built-ins and to each other', () => {
    const customPatterns = {
      ORDER_ID: 'ORD-%{POSINT}',
      ORDER_LINE: 'order %{ORDER_ID:order} by %{EMAILADDRESS:email}',
    };
    expect(
      compilePattern('%{ORDER_LINE}', { customPatterns }).match('order ORD-42 by a.b@example.com'),
    ).toEqual({ order: 'ORD-42', email: 'a.b@example.com' });
  });

  it('lets a custom pattern override a built-in of the same name', () => {
    const pattern = compilePattern('%{WORD:w}', { customPatterns: { WORD: '[a-z]+-[a-z]+' } });
    expect(pattern.match('x foo-bar')).toEqual({ w: 'foo-bar' });
  });

  it('keeps plain RE2 syntax, inline flags and escaped percent signs', () => {
    expect(compilePattern('(?i)^level=(?<lvl>warn|error)$').match('LEVEL=Error')).toEqual({
      lvl: 'Error',
    });
    expect(compilePattern('\\%{WORD}').match('%{WORD}')).toEqual({});
  });

  it('cuts text at maxLineLength before matching', () => {
    const pattern = compilePattern('end$', { maxLineLength: 10 });
    expect(pattern.match('0123456end')).toEqual({});
    expect(pattern.match('0123456789end')).toBeUndefined();
  });
});

describe('compilePattern: refusals', () => {
  const RE2_NOTE = '(patterns run on RE2, which guarantees linear time)';

  it.each([
    ['(a)(b)c\\1', `backreference "\\1" at position 7 is not supported ${RE2_NOTE}`],
    ['(?<w>a)\\k<w>', `named backreference "\\k<w>" at position 7 is not supported ${RE2_NOTE}`],
    ['(?P<w>a)(?P=w)', `named backreference "(?P=w)" at position 8 is not supported ${RE2_NOTE}`],
    ['foo(?=bar)', `lookahead "(?=" at position 3 is not supported ${RE2_NOTE}`],
    ['foo(?!bar)', `negative lookahead "(?!" at position 3 is not supported ${RE2_NOTE}`],
    ['(?<=foo)bar', `lookbehind "(?<=" at position 0 is not supported ${RE2_NOTE}`],
    ['(?<!foo)bar', `negative lookbehind "(?<!" at position 0 is not supported ${RE2_NOTE}`],
    ['a(?>bc|b)c', `atomic group "(?>" at position 1 is not supported ${RE2_NOTE}`],
    ['\\d++x', `possessive quantifier "++" at position 2 is not supported ${RE2_NOTE}`],
    ['a{2,}+', `possessive quantifier "{2,}+" at position 1 is not supported ${RE2_NOTE}`],
    ['(a|b(?1))', `recursion "(?1)" at position 4 is not supported ${RE2_NOTE}`],
    ['a(*SKIP)b', `backtracking control verb "(*SKIP)" at position 1 is not supported ${RE2_NOTE}`],
    ['foo\\Z', `anchor "\\Z" at position 3 is not supported ${RE2_NOTE}`],
  ])('%s', (source, message) => {
    expect(refusal(source)).toBe(message);
  });

  it('does not mistake escaped or bracketed characters for constructs', () => {
    expect(() => compilePattern('\\(?=\\) [(?=] \\\\ a+? [+]+')).not.toThrow();
  });

  it('names the position inside a custom pattern', () => {
    expect(refusal('x %{MINE}', { MINE: 'ab(?=c)' })).toBe(
      `lookahead "(?=" at position 2 of %{MINE} is not supported ${RE2_NOTE}`,
    );
  });

  it('refuses unknown names, bad types, bad field names and malformed references', () => {
    expect(refusal('a %{NOPE:x}')).toBe('unknown pattern "%{NOPE}" at position 2');
    expect(refusal('%{INT:n:bool}')).toBe(
      'unknown type "bool" in "%{INT:n:bool}" at position 0 (use int or float)',
    );
    expect(refusal('%{INT:1st}')).toBe(
      'invalid field name "1st" in "%{INT:1st}" at position 0 (letters, digits, _, @, - and dots)',
    );
    expect(refusal('%{INT')).toBe(
      'malformed grok reference "%{INT" at position 0 ' +
        '(expected %{NAME}, %{NAME:field} or %{NAME:field:int|float})',
    );
  });

  it('refuses cycles, naming the chain', () => {
    expect(refusal('x%{A}', { A: 'a%{B}', B: '%{A}' })).toBe(
      'pattern "%{A}" at position 0 of %{B} refers to itself: %{A} → %{B} → %{A}',
    );
  });

  it('refuses patterns over 4096 characters and expansions that explode', () => {
    expect(refusal('a'.repeat(4097))).toBe('pattern is 4097 characters long; the limit is 4096');
    const doubling: Record<string, string> = { P0: 'x' };
    for (let level = 1; level <= 20; level++) {
      doubling[`P${level}`] = `%{P${level - 1}}%{P${level - 1}}`;
    }
    expect(refusal('%{P20}', doubling)).toBe('pattern expands to more than 262144 characters');
  });

  it("falls back to RE2's own message for other mistakes", () => {
    expect(refusal('a[b')).toBe('RE2 rejected the pattern: missing ]: [b');
    expect(refusal('(?x)a b')).toBe('RE2 rejected the pattern: invalid perl operator: (?x');
  });
});
