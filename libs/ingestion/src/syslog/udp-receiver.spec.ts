import { datagramFrame, UdpFrameBatcher, type UdpFramesEvent } from './udp-receiver';

describe('datagramFrame', () => {
  it('is the whole datagram without trailing newlines, CRs and NULs', () => {
    expect(datagramFrame(Buffer.from('<13>hello\r\n\0'), 100)).toEqual({ text: '<13>hello' });
    expect(datagramFrame(Buffer.from('<13>a\nb\n'), 100)).toEqual({ text: '<13>a\nb' });
  });

  it('makes no frame of an empty datagram', () => {
    expect(datagramFrame(Buffer.alloc(0), 100)).toBeUndefined();
    expect(datagramFrame(Buffer.from('\n\0'), 100)).toBeUndefined();
  });

  it('cuts a message over the maximum and tells its length as sent', () => {
    expect(datagramFrame(Buffer.from(`${'x'.repeat(30)}\n`), 10)).toEqual({
      text: 'x'.repeat(10),
      truncatedFrom: 30,
    });
  });
});

describe('UdpFrameBatcher', () => {
  const collect = (options: Partial<ConstructorParameters<typeof UdpFrameBatcher>[0]> = {}) => {
    const events: UdpFramesEvent[] = [];
    const batcher = new UdpFrameBatcher(
      { maxMessageBytes: 100, flushMs: 60_000, ...options },
      (event) => events.push(event),
    );
    return { batcher, events };
  };

  it('groups frames by sender, in order, and posts them at flushFrames', () => {
    const { batcher, events } = collect({ flushFrames: 4 });
    batcher.add(Buffer.from('a1\n'), '10.0.0.1');
    batcher.add(Buffer.from('b1'), '10.0.0.2');
    batcher.add(Buffer.from('\n'), '10.0.0.2');
    batcher.add(Buffer.from('a2'), '10.0.0.1');
    expect(events).toEqual([]);
    batcher.add(Buffer.from(`a3${'x'.repeat(200)}`), '10.0.0.1');
    expect(events).toEqual([
      {
        type: 'frames',
        datagrams: 5,
        dropped: 0,
        bytes: 3 + 2 + 2 + 202,
        senders: [
          {
            host: '10.0.0.1',
            texts: ['a1', 'a2', `a3${'x'.repeat(98)}`],
            truncatedFrom: [0, 0, 202],
          },
          { host: '10.0.0.2', texts: ['b1'], truncatedFrom: [0] },
        ],
      },
    ]);
  });

  it('posts a partial batch flushMs after its first datagram', async () => {
    const { batcher, events } = collect({ flushMs: 5 });
    batcher.add(Buffer.from('one'), 'h');
    batcher.add(Buffer.from(''), 'h');
    expect(events).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toMatchObject([{ datagrams: 2, senders: [{ host: 'h', texts: ['one'] }] }]);
  });

  it('drops and counts datagrams while the consumer is too far behind, and resumes', () => {
    const { batcher, events } = collect({ flushFrames: 2, maxUnhandledBytes: 10 });
    batcher.add(Buffer.from('12345'), 'h');
    batcher.add(Buffer.from('12345'), 'h');
    batcher.add(Buffer.from('lost'), 'h');
    batcher.flush();
    expect(events.map(({ datagrams, dropped, bytes }) => ({ datagrams, dropped, bytes }))).toEqual([
      { datagrams: 2, dropped: 0, bytes: 10 },
      { datagrams: 1, dropped: 1, bytes: 0 },
    ]);
    batcher.handled(10);
    batcher.add(Buffer.from('kept'), 'h');
    batcher.flush();
    expect(events[2]).toMatchObject({ dropped: 0, senders: [{ texts: ['kept'] }] });
  });
});
