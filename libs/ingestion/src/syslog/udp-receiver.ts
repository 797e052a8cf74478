import * as dgram from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';
import type { DecodedFrame } from './tcp-framing';

// This module runs in the UDP receiver thread (see udp-receiver-thread.ts): it imports only Node's
// own modules, so that the thread loads nothing else.

export interface UdpReceiverOptions {
  host: string;
  port: number;
  /** SO_RCVBUF asked of the kernel. */
  recvBufferSize: number;
  /** Longer messages are cut to this many bytes and flagged. */
  maxMessageBytes: number;
}

/** The frames of one sender in a batch, as parallel arrays (cheaper to copy between threads than objects). */
export interface UdpSenderFrames {
  /** The sender's address. */
  host: string;
  texts: string[];
  /** For each frame: its length in bytes as sent when it was cut, 0 when it is whole. */
  truncatedFrom: number[];
}

export interface UdpFramesEvent {
  type: 'frames';
  /** Datagrams read since the last batch, with empty ones and dropped ones. */
  datagrams: number;
  /** Datagrams read but dropped because the consumer was `maxUnhandledBytes` behind. */
  dropped: number;
  /** Size of the batch, to be given back with a `handled` command. */
  bytes: number;
  senders: UdpSenderFrames[];
}

/** What the receiver reports, in this order: `listening` or a bind `error`, then frames, then `closed`. */
export type UdpReceiverEvent =
  | { type: 'listening'; port: number; recvBufferSize: number }
  | UdpFramesEvent
  /** Before `listening`: the socket could not be bound, and the receiver is closed. */
  | { type: 'error'; message: string }
  | { type: 'closed' };

/** What the consumer tells the receiver: a batch was handed on (so more may be buffered), or stop. */
export type UdpReceiverCommand = { type: 'handled'; bytes: number } | { type: 'close' };

export interface UdpReceiver {
  command(command: UdpReceiverCommand): void;
}

/** A batch is posted at this many frames, or this long after its first datagram. */
const FLUSH_FRAMES = 1000;
const FLUSH_MS = 10;
/**
 * Bytes posted to the consumer and not yet handled, beyond which datagrams are dropped (and
 * counted): the kernel's buffer bounded memory when the main thread read the socket itself; this
 * bounds it now that the thread reads whatever arrives.
 */
const MAX_UNHANDLED_BYTES = 64 * 1024 * 1024;

/** One datagram is one message (trailing newlines, CRs and NULs are not part of it). */
export function datagramFrame(datagram: Buffer, maxMessageBytes: number): DecodedFrame | undefined {
  let end = datagram.length;
  while (
    end > 0 &&
    (datagram[end - 1] === 0x0a || datagram[end - 1] === 0x0d || datagram[end - 1] === 0)
  )
    end--;
  if (end === 0) return undefined;
  if (end > maxMessageBytes) {
    return { text: datagram.subarray(0, maxMessageBytes).toString('utf8'), truncatedFrom: end };
  }
  return { text: datagram.subarray(0, end).toString('utf8') };
}

export interface UdpFrameBatcherOptions {
  maxMessageBytes: number;
  flushFrames?: number;
  flushMs?: number;
  maxUnhandledBytes?: number;
}

/**
 * Frames datagrams and gathers them, by sender, into `frames` events: one every `flushFrames`
 * frames or `flushMs` after the first datagram of a batch, whichever comes first.
 */
export class UdpFrameBatcher {
  private readonly flushFrames: number;
  private readonly flushMs: number;
  private readonly maxUnhandledBytes: number;
  private senders = new Map<string, UdpSenderFrames>();
  private frames = 0;
  private datagrams = 0;
  private dropped = 0;
  private bytes = 0;
  /** Bytes of the batches posted and not yet handled by the consumer. */
  private unhandledBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: UdpFrameBatcherOptions,
    private readonly emit: (event: UdpFramesEvent) => void,
  ) {
    this.flushFrames = options.flushFrames ?? FLUSH_FRAMES;
    this.flushMs = options.flushMs ?? FLUSH_MS;
    this.maxUnhandledBytes = options.maxUnhandledBytes ?? MAX_UNHANDLED_BYTES;
  }

  add(datagram: Buffer, host: string): void {
    this.datagrams++;
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
    if (this.unhandledBytes + this.bytes + datagram.length > this.maxUnhandledBytes) {
      this.dropped++;
      return;
    }
    const frame = datagramFrame(datagram, this.options.maxMessageBytes);
    if (!frame) return;
    let sender = this.senders.get(host);
    if (!sender) {
      sender = { host, texts: [], truncatedFrom: [] };
      this.senders.set(host, sender);
    }
    sender.texts.push(frame.text);
    sender.truncatedFrom.push(frame.truncatedFrom ?? 0);
    this.bytes += datagram.length;
    if (++this.frames >= this.flushFrames) this.flush();
  }

  /** The consumer has handed on a batch of `bytes`. */
  handled(bytes: number): void {
    this.unhandledBytes -= bytes;
  }

  /** Posts what is gathered now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.datagrams === 0) return;
    const event: UdpFramesEvent = {
      type: 'frames',
      datagrams: this.datagrams,
      dropped: this.dropped,
      bytes: this.bytes,
      senders: [...this.senders.values()],
    };
    this.unhandledBytes += this.bytes;
    this.senders = new Map();
    this.frames = this.datagrams = this.dropped = this.bytes = 0;
    this.emit(event);
  }
}

/** Binds a UDP socket and reports what it receives as batches of frames through `emit`. */
export function receiveUdp(
  options: UdpReceiverOptions,
  emit: (event: UdpReceiverEvent) => void,
): UdpReceiver {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: options.recvBufferSize });
  const batcher = new UdpFrameBatcher({ maxMessageBytes: options.maxMessageBytes }, emit);
  let listening = false;
  let closed = false;
  socket.on('message', (datagram, remote) => batcher.add(datagram, remote.address));
  socket.on('error', (error) => {
    emit({ type: 'error', message: error.message });
    if (!listening && !closed) {
      closed = true;
      socket.close();
    }
  });
  socket.bind(options.port, options.host, () => {
    listening = true;
    emit({
      type: 'listening',
      port: socket.address().port,
      recvBufferSize: socket.getRecvBufferSize(),
    });
  });
  const close = () => {
    const done = () => {
      batcher.flush();
      emit({ type: 'closed' });
    };
    if (closed) return done();
    closed = true;
    socket.close(done);
  };
  return {
    command(command) {
      if (command.type === 'handled') batcher.handled(command.bytes);
      else close();
    },
  };
}

/** Entry of the receiver thread: the socket and its batches, and nothing else on its event loop. */
export function runUdpReceiverThread(): void {
  const port = parentPort;
  if (!port) throw new Error('runUdpReceiverThread runs in a worker thread');
  const receiver = receiveUdp(workerData.options as UdpReceiverOptions, (event) =>
    port.postMessage(event),
  );
  port.on('message', (command: UdpReceiverCommand) => receiver.command(command));
}
