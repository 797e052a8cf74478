import * as dgram from 'node:dgram';
import { waitFor } from '@app/testing';
import { startUdpReceiver, type RunningUdpReceiver } from './udp-receiver-thread';
import type { UdpFramesEvent } from './udp-receiver';

/** The receiver thread for real: its own socket on loopback, frames posted to this thread. */
describe('startUdpReceiver (worker thread)', () => {
  const options = { host: '127.0.0.1', port: 0, recvBufferSize: 1 << 20, maxMessageBytes: 64 };

  const send = (socket: dgram.Socket, port: number, text: string) =>
    new Promise<void>((resolve, reject) =>
      socket.send(text, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
    );

  it('reports its port, frames datagrams with their sender, and closes with the thread', async () => {
    const events: UdpFramesEvent[] = [];
    const errors: string[] = [];
    const receiver = await startUdpReceiver(options, {
      onFrames: (event) => events.push(event),
      onError: (message) => errors.push(message),
    });
    expect(receiver.port).toBeGreaterThan(0);
    expect(receiver.recvBufferSize).toBeGreaterThan(0);
    const client = dgram.createSocket('udp4');
    try {
      await send(client, receiver.port, '<13>first\n');
      await send(client, receiver.port, '\0');
      await send(client, receiver.port, `<13>long ${'y'.repeat(100)}`);
      const frames = () => events.flatMap((event) => event.senders);
      await waitFor(async () => frames().flatMap((s) => s.texts).length === 2, 'two frames');
      expect(frames().flatMap((s) => s.texts)).toEqual(['<13>first', `<13>long ${'y'.repeat(55)}`]);
      expect(frames().flatMap((s) => s.truncatedFrom)).toEqual([0, 109]);
      expect(new Set(frames().map((s) => s.host))).toEqual(new Set(['127.0.0.1']));
      await waitFor(
        async () => events.reduce((sum, event) => sum + event.datagrams, 0) === 3,
        'three datagrams counted',
      );
    } finally {
      client.close();
      await receiver.close();
    }
    expect(errors).toEqual([]);
    // The port is free again once close resolved.
    const again = await startUdpReceiver(
      { ...options, port: receiver.port },
      { onFrames: () => undefined, onError: () => undefined },
    );
    await again.close();
  });

  it('fails to start, with the reason, when the port is taken', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    const port = taken.address().port;
    let started: RunningUdpReceiver | undefined;
    try {
      const start = startUdpReceiver(
        { ...options, port },
        { onFrames: () => undefined, onError: () => undefined },
      ).then((receiver) => (started = receiver));
      await expect(start).rejects.toThrow(
        `syslog UDP could not listen on 127.0.0.1:${port}: bind EADDRINUSE 127.0.0.1:${port}`,
      );
    } finally {
      await started?.close();
      taken.close();
    }
  });
});
