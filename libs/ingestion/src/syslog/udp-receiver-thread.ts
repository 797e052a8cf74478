import cluster from 'node:cluster';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  receiveUdp,
  type UdpFramesEvent,
  type UdpReceiver,
  type UdpReceiverCommand,
  type UdpReceiverEvent,
  type UdpReceiverOptions,
} from './udp-receiver';

/** A started UDP receiver, as the main thread sees it. */
export interface RunningUdpReceiver {
  /** The port bound (differs from the one asked for when that was 0). */
  port: number;
  /** SO_RCVBUF as the kernel reports it (Linux: twice what it granted). */
  recvBufferSize: number;
  /** Closes the socket, delivers the last frames, and ends the thread. */
  close(): Promise<void>;
}

export interface UdpReceiverHandlers {
  /** A batch of frames; it is handed on synchronously (the receiver buffers more once it returns). */
  onFrames(event: UdpFramesEvent): void;
  /** An error after the socket was bound. */
  onError(message: string): void;
}

/** The receiver module: compiled `.js` beside this file in dist/, `.ts` when run from sources. */
const RECEIVER_MODULE = join(
  __dirname,
  `udp-receiver${__filename.slice(__filename.lastIndexOf('.'))}`,
);
/**
 * The thread's entry. From sources, Jest's transformer does not reach into threads: compile the
 * `.ts` on load with swc, unless a hook is already there (register-ts.cjs, inherited through execArgv).
 */
const THREAD_ENTRY = `
const { workerData } = require('node:worker_threads');
const load = require('node:module').createRequire(workerData.module);
if (workerData.module.endsWith('.ts') && !require.extensions['.ts']) {
  const { transformSync } = load('@swc/core');
  const { readFileSync } = require('node:fs');
  require.extensions['.ts'] = (module, filename) => module._compile(transformSync(readFileSync(filename, 'utf8'), {
    filename, swcrc: false, jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' },
  }).code, filename);
}
load(workerData.module).runUdpReceiverThread();
`;
/** Shutdown does not wait longer than this for the thread to say it closed its socket. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * Receives UDP in a worker thread that owns the socket, so that it is drained while the main
 * thread's event loop is busy: libuv reads at most 32 datagrams per loop iteration, and the main
 * loop's iterations get long under load (decoding big ingest bodies, serialising queue jobs), so a
 * socket read there fell behind and the kernel dropped what overflowed its buffer.
 * In a cluster process (API_PROCESSES > 1) the socket stays on the main thread instead: the cluster
 * shares one socket among the processes, and a thread cannot take part in that.
 * Resolves once the socket is bound; rejects when it cannot be (port in use…).
 */
export function startUdpReceiver(
  options: UdpReceiverOptions,
  handlers: UdpReceiverHandlers,
): Promise<RunningUdpReceiver> {
  return cluster.isWorker
    ? startReceiver(options, handlers, inProcessChannel(options))
    : startReceiver(options, handlers, threadChannel(options));
}

/** How the main thread talks to a receiver, wherever it runs. */
interface Channel {
  send(command: UdpReceiverCommand): void;
  /** Registers the event listener (once); `onGone` when the receiver died without `closed`. */
  listen(onEvent: (event: UdpReceiverEvent) => void, onGone: (reason: string) => void): void;
  /** Frees what remains once the receiver closed (the thread). */
  dispose(): Promise<void>;
}

function threadChannel(options: UdpReceiverOptions): Channel {
  const worker = new Worker(THREAD_ENTRY, {
    eval: true,
    workerData: { module: RECEIVER_MODULE, options },
  });
  let disposed = false;
  return {
    send: (command) => worker.postMessage(command),
    listen(onEvent, onGone) {
      worker.on('message', onEvent);
      worker.on('error', (error) => onGone(`UDP receiver thread failed: ${error.stack ?? error}`));
      worker.on('exit', (code) => {
        if (!disposed) onGone(`UDP receiver thread exited (code ${code})`);
      });
    },
    async dispose() {
      disposed = true;
      await worker.terminate();
    },
  };
}

function inProcessChannel(options: UdpReceiverOptions): Channel {
  let receiver: UdpReceiver | undefined;
  return {
    send: (command) => receiver?.command(command),
    listen(onEvent) {
      receiver = receiveUdp(options, onEvent);
    },
    dispose: async () => undefined,
  };
}

function startReceiver(
  options: UdpReceiverOptions,
  handlers: UdpReceiverHandlers,
  channel: Channel,
): Promise<RunningUdpReceiver> {
  return new Promise((resolve, reject) => {
    let listening = false;
    let closing = false;
    let onClosed: (() => void) | undefined;
    const where = `${options.host}:${options.port}`;
    const fail = (message: string) => {
      if (!listening) {
        void channel.dispose();
        reject(new Error(`syslog UDP could not listen on ${where}: ${message}`));
      } else if (!closing) {
        handlers.onError(message);
      }
    };
    channel.listen(
      (event) => {
        switch (event.type) {
          case 'listening':
            listening = true;
            resolve({ port: event.port, recvBufferSize: event.recvBufferSize, close });
            break;
          case 'frames':
            handlers.onFrames(event);
            channel.send({ type: 'handled', bytes: event.bytes });
            break;
          case 'error':
            fail(event.message);
            break;
          case 'closed':
            onClosed?.();
            break;
        }
      },
      (reason) => {
        fail(reason);
        onClosed?.();
      },
    );

    let closed: Promise<void> | undefined;
    const close = () =>
      (closed ??= (async () => {
        closing = true;
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((done) => {
          onClosed = done;
          timer = setTimeout(done, CLOSE_TIMEOUT_MS);
          channel.send({ type: 'close' });
        });
        clearTimeout(timer);
        await channel.dispose();
      })());
  });
}
