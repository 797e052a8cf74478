import { type DecodedFrame, SyslogFrameDecoder } from './tcp-framing';

const decoder = (maxMessageBytes = 1024) => new SyslogFrameDecoder({ maxMessageBytes });

/** Feeds `input` in pieces cut at `cuts` (byte positions), then closes the connection. */
function feed(input: Buffer, cuts: number[], maxMessageBytes = 1024): DecodedFrame[] {
  const framer = decoder(maxMessageBytes);
  const frames: DecodedFrame[] = [];
  let start = 0;
  for (const cut of [...cuts, input.length]) {
    frames.push(...framer.push(input.subarray(start, cut)));
    start = cut;
  }
  frames.push(...framer.end());
  return frames;
}

const texts = (frames: DecodedFrame[]) => frames.map((frame) => frame.text);

describe('SyslogFrameDecoder: newline-delimited', () => {
  it('splits on LF, CRLF and NUL, and skips empty lines', () => {
    const framer = decoder();
    expect(framer.push(Buffer.from('<13>a\n<13>b\r\n\n<13>c\0<13>d'))).toEqual([
      { text: '<13>a' },
      { text: '<13>b' },
      { text: '<13>c' },
    ]);
    expect(framer.end()).toEqual([{ text: '<13>d' }]);
  });

  it('keeps a lone CR inside a line and removes only the one before LF', () => {
    expect(texts(feed(Buffer.from('a\rb\r\r\nc'), []))).toEqual(['a\rb\r', 'c']);
    expect(texts(feed(Buffer.from('a\rb\r\r\nc'), [4, 5]))).toEqual(['a\rb\r', 'c']);
  });

  it('joins a line split across chunks', () => {
    const framer = decoder();
    expect(framer.push(Buffer.from('<13>hel'))).toEqual([]);
    expect(framer.push(Buffer.from('lo\r'))).toEqual([]);
    expect(framer.push(Buffer.from('\n<13>next\n'))).toEqual([
      { text: '<13>hello' },
      { text: '<13>next' },
    ]);
  });

  it('cuts a long line at maxMessageBytes, flags its full length and resyncs on the next line', () => {
    const long = 'x'.repeat(25);
    expect(feed(Buffer.from(`${long}\nshort\n`), [], 10)).toEqual([
      { text: 'x'.repeat(10), truncatedFrom: 25 },
      { text: 'short' },
    ]);
    // Same when the long line arrives in pieces.
    expect(feed(Buffer.from(`${long}\nshort\n`), [3, 12, 20, 26], 10)).toEqual([
      { text: 'x'.repeat(10), truncatedFrom: 25 },
      { text: 'short' },
    ]);
    // Exactly max bytes plus the CR is not truncated.
    expect(feed(Buffer.from(`${'y'.repeat(10)}\r\n`), [5], 10)).toEqual([{ text: 'y'.repeat(10) }]);
  });

  it('does not buffer the skipped part of a long line', () => {
    const framer = decoder(100);
    for (let i = 0; i < 1000; i++) {
      expect(framer.push(Buffer.alloc(1000, 0x61))).toEqual([]);
      expect(framer.bufferedBytes).toBeLessThanOrEqual(100);
    }
    expect(framer.push(Buffer.from('\n'))).toEqual([
      { text: 'a'.repeat(100), truncatedFrom: 1_000_000 },
    ]);
  });

  it('does not cut a multibyte character in half when truncating', () => {
    // 'é' is 2 bytes: 9 bytes of 'a' + 'é' would split at 10.
    expect(feed(Buffer.from(`${'a'.repeat(9)}é and more\n`), [], 10)).toEqual([
      { text: 'a'.repeat(9), truncatedFrom: 20 },
    ]);
    expect(feed(Buffer.from('€€€€\n'), [], 10)).toEqual([{ text: '€€€', truncatedFrom: 12 }]);
  });
});

describe('SyslogFrameDecoder: octet counting', () => {
  it('detects `LEN SP MSG` on the first bytes and keeps newlines inside messages', () => {
    const framer = decoder();
    expect(framer.push(Buffer.from('5 hello11 hello\nworld3 ab'))).toEqual([
      { text: 'hello' },
      { text: 'hello\nworld' },
    ]);
    expect(framer.push(Buffer.from('c'))).toEqual([{ text: 'abc' }]);
  });

  it('counts bytes, not characters', () => {
    // `Grüß` is 6 bytes, `Grüße` 7.
    expect(feed(Buffer.from('6 Grüß7 Grüße'), [])).toEqual([{ text: 'Grüß' }, { text: 'Grüße' }]);
    expect(feed(Buffer.from('6 Grüße'), [])).toEqual([{ text: 'Grüß' }, { text: 'e' }]);
  });

  it('tolerates a newline after each frame, and drops a trailing LF counted in the frame', () => {
    expect(texts(feed(Buffer.from('5 hello\n5 world\r\n7 heroku\n'), []))).toEqual([
      'hello',
      'world',
      'heroku',
    ]);
  });

  it('keeps the first maxMessageBytes of a long frame and skips the rest by count', () => {
    const input = Buffer.from(`20 ${'z'.repeat(20)}3 end`);
    const expected = [{ text: 'z'.repeat(8), truncatedFrom: 20 }, { text: 'end' }];
    expect(feed(input, [], 8)).toEqual(expected);
    expect(feed(input, [1, 2, 3, 7, 22, 23, 24], 8)).toEqual(expected);
  });

  it('falls back to newline framing after an invalid length, keeping the bytes', () => {
    expect(texts(feed(Buffer.from('5 hello<13>next line\n<13>last\n'), []))).toEqual([
      'hello',
      '<13>next line',
      '<13>last',
    ]);
    expect(texts(feed(Buffer.from('5 hello12X3\nok'), []))).toEqual(['hello', '12X3', 'ok']);
    // A length of 10 digits is not a length.
    expect(texts(feed(Buffer.from('1234567890 x\n'), []))).toEqual(['1234567890 x']);
    expect(texts(feed(Buffer.from('0 x\n'), []))).toEqual(['0 x']);
  });

  it('starts in newline mode when the stream does not begin with a length', () => {
    // `5 a` later on is an ordinary line, not a frame.
    expect(texts(feed(Buffer.from('<13>a\n5 abcdefg\n'), []))).toEqual(['<13>a', '5 abcdefg']);
  });
});

describe('SyslogFrameDecoder: end()', () => {
  it('flushes a last line without newline, once', () => {
    const framer = decoder();
    framer.push(Buffer.from('<13>a\n<13>tail'));
    expect(framer.end()).toEqual([{ text: '<13>tail' }]);
    expect(framer.end()).toEqual([]);
  });

  it('flags a frame cut by the close with its announced length', () => {
    const framer = decoder();
    expect(framer.push(Buffer.from('10 abc'))).toEqual([]);
    expect(framer.end()).toEqual([{ text: 'abc', truncatedFrom: 10 }]);
  });

  it('keeps a dangling length prefix as text', () => {
    const framer = decoder();
    expect(framer.push(Buffer.from('3 abc12'))).toEqual([{ text: 'abc' }]);
    expect(framer.end()).toEqual([{ text: '12' }]);
  });

  it('starts over for the next connection, detecting its framing again', () => {
    const framer = decoder();
    framer.push(Buffer.from('<13>a\n<13>b'));
    framer.end();
    expect(framer.push(Buffer.from('5 hello'))).toEqual([{ text: 'hello' }]);
    framer.push(Buffer.from('5 hel'));
    framer.end();
    expect(framer.push(Buffer.from('<13>x\n'))).toEqual([{ text: '<13>x' }]);
    expect(framer.bufferedBytes).toBeLessThan(300);
  });
});

describe('SyslogFrameDecoder: chunking does not matter', () => {
  const newlineStream = Buffer.concat([
    Buffer.from('<13>Feb  5 17:32:18 host app[1]: héllo wörld ☃ 日本\r\n'),
    Buffer.from(`<13>${'long '.repeat(11)}long€€\n`), // cut at 64 falls inside a €
    Buffer.from([0xff, 0xfe, 0x41, 0x0a]), // invalid UTF-8
    Buffer.from('\n\0<14>after nul\nno newline at the end 😀'),
  ]);
  const octetStream = Buffer.concat([
    ...['<14>1 - h a - - - first', 'multi\nline ☃ message', `${'€'.repeat(30)}!`, 'x\n'].map(
      (message) =>
        Buffer.concat([Buffer.from(`${Buffer.byteLength(message)} `), Buffer.from(message)]),
    ),
    Buffer.from('\n30 <13>unfinished'),
  ]);
  // The first octet frame (26 bytes), then a sender that forgot the framing.
  const fallbackStream = Buffer.concat([
    octetStream.subarray(0, 26),
    Buffer.from('<13>switched\n😀 x\n12 not a frame'),
  ]);

  it.each([
    ['newline', newlineStream],
    ['octet', octetStream],
    ['octet then newline', fallbackStream],
  ])('%s: any single split, and byte by byte, equals all at once', (_name, input) => {
    const whole = feed(input, [], 64);
    expect(whole.length).toBeGreaterThan(2);
    for (let cut = 0; cut <= input.length; cut++) {
      expect(feed(input, [cut], 64)).toEqual(whole);
    }
    const everyByte = Array.from({ length: input.length }, (_, index) => index);
    expect(feed(input, everyByte, 64)).toEqual(whole);
  });

  it('reads the mixed streams as expected', () => {
    expect(feed(newlineStream, [], 64)).toEqual([
      { text: '<13>Feb  5 17:32:18 host app[1]: héllo wörld ☃ 日本' },
      { text: `<13>${'long '.repeat(11)}long`, truncatedFrom: 69 },
      { text: '\uFFFD\uFFFDA' },
      { text: '<14>after nul' },
      { text: 'no newline at the end 😀' },
    ]);
    expect(feed(octetStream, [], 64)).toEqual([
      { text: '<14>1 - h a - - - first' },
      { text: 'multi\nline ☃ message' },
      { text: '€'.repeat(21), truncatedFrom: 91 },
      { text: 'x' },
      { text: '<13>unfinished', truncatedFrom: 30 },
    ]);
    expect(texts(feed(fallbackStream, [], 64))).toEqual([
      '<14>1 - h a - - - first',
      '<13>switched',
      '😀 x',
      '12 not a frame',
    ]);
  });
});

describe('SyslogFrameDecoder: garbage', () => {
  it('survives a random binary stream with bounded memory', () => {
    // Deterministic pseudo-random bytes (xorshift), so a failure can be replayed.
    let state = 0x2545f491;
    const random = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state >>> 0;
    };
    const framer = decoder(64);
    const frames: DecodedFrame[] = [];
    for (let chunk = 0; chunk < 500; chunk++) {
      const bytes = Buffer.alloc(1 + (random() % 700));
      for (let i = 0; i < bytes.length; i++) bytes[i] = random() & 0xff;
      frames.push(...framer.push(bytes));
      expect(framer.bufferedBytes).toBeLessThanOrEqual(64 + 9);
    }
    frames.push(...framer.end());
    expect(frames.length).toBeGreaterThan(100);
    for (const frame of frames) {
      expect(Buffer.byteLength(frame.text)).toBeLessThanOrEqual(64 * 3); // U+FFFD is 3 bytes
      expect(frame.text.length).toBeLessThanOrEqual(64);
      expect(frame.text).not.toMatch(/[\n\0]/);
    }
  });

  it('rejects a nonsensical maxMessageBytes', () => {
    expect(() => decoder(0)).toThrow(RangeError);
  });
});
