import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import type { RawLine } from '@app/queue';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { BackpressureService } from '../backpressure.service';
import { IngestService } from '../ingest.service';
import {
  syslogConnections,
  syslogLost,
  syslogMessages,
  syslogTruncated,
  udpPortsWatched,
} from './syslog.metrics';
import { SyslogFrameDecoder, type DecodedFrame } from './tcp-framing';
import type { UdpFramesEvent } from './udp-receiver';
import { startUdpReceiver, type RunningUdpReceiver } from './udp-receiver-thread';

/** Source name of lines received over syslog. */
export const SYSLOG_SOURCE = 'syslog';
/** A connection stops being read while this many of its lines wait to be enqueued. */
const MAX_IN_FLIGHT_LINES_PER_CONNECTION = 20_000;
/** Connections silent this long are closed (senders reconnect on their own). */
const IDLE_TIMEOUT_MS = 10 * 60_000;
const MAX_CONNECTIONS = 5000;

type Transport = 'udp' | 'tcp' | 'tls';

/**
 * Syslog listeners on SYSLOG_PORT (UDP and TCP) and optionally SYSLOG_TLS_PORT. They only frame
 * messages and hand them to the ingest queue; parsing (RFC 3164 / 5424) happens in the worker.
 * TCP and TLS connections stop being read when the queue is above its high-water mark, so the
 * sender's window fills instead of anything being dropped. UDP cannot push back: its socket is read
 * on a thread of its own (udp-receiver-thread.ts), so that a busy event loop here does not make the
 * kernel drop datagrams, and what the kernel drops anyway is counted in /metrics.
 */
@Injectable()
export class SyslogServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyslogServer.name);
  private udp: RunningUdpReceiver | undefined;
  /** Whether the last UDP batch came with datagrams dropped (to warn once per episode). */
  private udpDropping = false;
  private tcp: net.Server | undefined;
  private tlsServer: tls.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly pausedByPressure = new Set<net.Socket>();

  constructor(
    private readonly ingest: IngestService,
    private readonly backpressure: BackpressureService,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { host, syslogPort } = this.config;
    this.udp = await this.listenUdp(host, syslogPort);
    try {
      this.tcp = net.createServer((socket) => this.handleConnection(socket, 'tcp'));
      await this.listen(this.tcp, host, syslogPort, 'TCP');
      if (this.config.syslogTlsPort !== undefined) {
        this.tlsServer = tls.createServer(
          {
            cert: readFileSync(this.config.syslogTlsCertPath as string),
            key: readFileSync(this.config.syslogTlsKeyPath as string),
          },
          (socket) => this.handleConnection(socket, 'tls'),
        );
        this.tlsServer.on('tlsClientError', (error) =>
          this.logger.warn(`TLS handshake failed: ${error.message}`),
        );
        await this.listen(this.tlsServer, host, this.config.syslogTlsPort, 'TLS');
      }
    } catch (error) {
      // What did start (the UDP thread above all) would otherwise outlive a failed start.
      await this.onApplicationShutdown();
      throw error;
    }
    this.backpressure.onChange((over) => {
      for (const socket of this.sockets) {
        if (over) {
          socket.pause();
          this.pausedByPressure.add(socket);
        } else if (this.pausedByPressure.delete(socket)) {
          socket.resume();
        }
      }
    });
    udpPortsWatched.add(this.ports().udp);
  }

  /** The ports actually bound (differs from the configuration when it asked for port 0). */
  ports(): { udp: number; tcp: number; tls?: number } {
    const port = (server: net.Server | undefined) =>
      (server?.address() as net.AddressInfo | null)?.port;
    return {
      udp: this.udp?.port ?? 0,
      tcp: port(this.tcp) ?? 0,
      tls: port(this.tlsServer),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    udpPortsWatched.delete(this.ports().udp);
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([
      this.udp?.close(),
      new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) =>
        this.tlsServer ? this.tlsServer.close(() => resolve()) : resolve(),
      ),
    ]);
  }

  private listen(server: net.Server, host: string, port: number, name: string): Promise<void> {
    server.maxConnections = MAX_CONNECTIONS;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        this.logger.log(
          `syslog ${name} listening on ${host}:${(server.address() as net.AddressInfo).port}`,
        );
        resolve();
      });
    });
  }

  private async listenUdp(host: string, port: number): Promise<RunningUdpReceiver> {
    const asked = this.config.syslogUdpReceiveBufferBytes;
    const udp = await startUdpReceiver(
      { host, port, recvBufferSize: asked, maxMessageBytes: this.config.syslogMaxMessageBytes },
      {
        onFrames: (event) => this.receivedUdp(event),
        onError: (message) => this.logger.error(`syslog UDP: ${message}`),
      },
    );
    // Linux reports twice the size it was given; below `asked` means net.core.rmem_max capped it.
    if (udp.recvBufferSize < asked) {
      this.logger.warn(
        `UDP receive buffer is ${udp.recvBufferSize} bytes (asked ${asked}); raise net.core.rmem_max for bursts`,
      );
    }
    this.logger.log(`syslog UDP listening on ${host}:${udp.port}`);
    return udp;
  }

  private receivedUdp(event: UdpFramesEvent): void {
    syslogMessages.inc({ transport: 'udp' }, event.datagrams);
    if (event.dropped > 0) {
      syslogLost.inc({ transport: 'udp' }, event.dropped);
      if (!this.udpDropping) {
        this.logger.warn(
          'syslog UDP: dropping datagrams, the api is too far behind (counted in lookout_syslog_lost_total)',
        );
      }
    }
    this.udpDropping = event.dropped > 0;
    for (const { host, texts, truncatedFrom } of event.senders) {
      const frames = texts.map((text, i): DecodedFrame =>
        truncatedFrom[i] > 0 ? { text, truncatedFrom: truncatedFrom[i] } : { text },
      );
      this.enqueue(frames, host, 'udp').catch(() => undefined);
    }
  }

  private handleConnection(socket: net.Socket, transport: Transport): void {
    const remote = socket.remoteAddress ?? 'unknown';
    const decoder = new SyslogFrameDecoder({ maxMessageBytes: this.config.syslogMaxMessageBytes });
    let inFlight = 0;
    this.sockets.add(socket);
    syslogConnections.inc();
    socket.setTimeout(IDLE_TIMEOUT_MS, () => {
      this.logger.debug(`Closing idle syslog connection from ${remote}`);
      socket.destroy();
    });
    if (this.backpressure.overHighWater) {
      socket.pause();
      this.pausedByPressure.add(socket);
    }

    const send = (frames: DecodedFrame[]) => {
      if (frames.length === 0) return;
      syslogMessages.inc({ transport }, frames.length);
      inFlight += frames.length;
      if (inFlight >= MAX_IN_FLIGHT_LINES_PER_CONNECTION) socket.pause();
      this.enqueue(frames, remote, transport)
        .catch(() => undefined)
        .finally(() => {
          inFlight -= frames.length;
          if (
            inFlight < MAX_IN_FLIGHT_LINES_PER_CONNECTION / 2 &&
            !this.pausedByPressure.has(socket) &&
            !socket.destroyed
          ) {
            socket.resume();
          }
        });
    };
    socket.on('data', (chunk: Buffer) => send(decoder.push(chunk)));
    socket.on('end', () => send(decoder.end()));
    socket.on('error', (error) =>
      this.logger.debug(`syslog ${transport} connection from ${remote}: ${error.message}`),
    );
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.pausedByPressure.delete(socket);
      syslogConnections.dec();
    });
  }

  private async enqueue(
    frames: DecodedFrame[],
    remote: string,
    transport: Transport,
  ): Promise<void> {
    const receivedAt = Date.now();
    const lines: RawLine[] = frames.map((frame) => ({
      raw: frame.text,
      receivedAt,
      source: SYSLOG_SOURCE,
      host: remote,
      format: 'syslog',
      truncatedFrom: frame.truncatedFrom,
    }));
    for (const frame of frames) if (frame.truncatedFrom !== undefined) syslogTruncated.inc();
    try {
      await this.ingest.acceptLines(lines);
    } catch (error) {
      syslogLost.inc({ transport }, lines.length);
      this.logger.error(
        `Could not enqueue ${lines.length} syslog lines: ${(error as Error).message}`,
      );
      throw error;
    }
  }
}
