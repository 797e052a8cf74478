import { Inject, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import {
  LIVE_TAIL_NAMESPACE,
  LIVE_TAIL_PATH,
  LOG_LEVELS,
  type LiveTailAck,
  type LiveTailClientEvents,
  type LiveTailErrorEvent,
  type LiveTailServerEvents,
  type LogLevelName,
} from '@app/contracts';
import type { Namespace, Socket } from 'socket.io';
import { LiveClient, type LiveTailLimits } from './live-client';
import { LiveQueryCompiler, LiveQueryError, type CompiledLiveQuery } from './live-query';
import { LiveTailAuthError, LiveTailAuthenticator, type LiveTailIdentity } from './live-tail-auth';
import { LiveTailHub } from './live-tail.hub';

export const LIVE_TAIL_LIMITS = Symbol('LIVE_TAIL_LIMITS');

/** Longer queries are refused: they are compiled per subscription and run on every line. */
export const MAX_QUERY_LENGTH = 2000;

interface SocketData {
  identity?: LiveTailIdentity;
}
type LiveSocket = Socket<
  LiveTailClientEvents,
  LiveTailServerEvents,
  Record<string, never>,
  SocketData
>;
type LiveNamespace = Namespace<
  LiveTailClientEvents,
  LiveTailServerEvents,
  Record<string, never>,
  SocketData
>;

const MAX_TIMER_MS = 2 ** 31 - 1;

/** How often an open socket's credentials are checked again (revoked key, ended session). */
export const LIVE_TAIL_RECHECK_MS = 60_000;

/**
 * Live tail on the api's HTTP server: socket.io path /socket.io, namespace /live. Authenticated
 * at connection; events and payloads are in libs/contracts/src/livetail.ts.
 *
 * WebSocket transport only. A WebSocket session is one TCP connection, so it stays on the api
 * process that accepted it whatever spreads connections (API_PROCESSES, a load balancer).
 * HTTP long-polling spreads one session over many requests, which only work if every one of them
 * reaches the process holding the session (sticky sessions): refused here rather than working on
 * one process and failing at random on several. The dashboard uses the WebSocket transport.
 */
@WebSocketGateway({
  namespace: LIVE_TAIL_NAMESPACE,
  path: LIVE_TAIL_PATH,
  serveClient: false,
  transports: ['websocket'],
})
export class LiveTailGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy
{
  @WebSocketServer() server!: LiveNamespace;
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private recheckTimer?: NodeJS.Timeout;

  constructor(
    private readonly hub: LiveTailHub,
    private readonly authenticator: LiveTailAuthenticator,
    private readonly compiler: LiveQueryCompiler,
    @Inject(LIVE_TAIL_LIMITS) private readonly limits: LiveTailLimits,
  ) {}

  afterInit(namespace: LiveNamespace): void {
    this.recheckTimer = setInterval(() => void this.recheckAll(), LIVE_TAIL_RECHECK_MS);
    this.recheckTimer.unref();
    // Namespace middleware: a failure reaches the client as connect_error with this message.
    namespace.use((socket, next) => {
      this.authenticator.authenticate(socket.handshake).then(
        (identity) => {
          socket.data.identity = identity;
          next();
        },
        (error: unknown) => next(this.authenticator.toConnectError(error)),
      );
    });
  }

  handleConnection(socket: LiveSocket): void {
    const identity = socket.data.identity;
    if (!identity) {
      socket.disconnect(true);
      return;
    }
    const client = new LiveClient(
      socket.id,
      {
        lines: (event, onAck) => socket.emit('lines', event, onAck),
        skipped: (event) => socket.emit('skipped', event),
      },
      this.limits,
    );
    this.hub.add(client);
    if (identity.expiresAt !== null) {
      const timer = setTimeout(
        () => {
          socket.emit(
            'error',
            problem('token_expired', 'Access token expired: reconnect with a new one'),
          );
          socket.disconnect(true);
        },
        Math.min(Math.max(0, identity.expiresAt - Date.now()), MAX_TIMER_MS),
      );
      timer.unref();
      this.expiryTimers.set(socket.id, timer);
    }
  }

  handleDisconnect(socket: LiveSocket): void {
    this.hub.remove(socket.id);
    clearTimeout(this.expiryTimers.get(socket.id));
    this.expiryTimers.delete(socket.id);
  }

  onModuleDestroy(): void {
    clearInterval(this.recheckTimer);
  }

  /**
   * Checks the credentials of every open socket again: a revoked key or an ended session (logout,
   * password change, user removed or demoted out of reading) closes its sockets too. Runs every
   * LIVE_TAIL_RECHECK_MS.
   */
  async recheckAll(): Promise<void> {
    await Promise.all(
      [...this.server.sockets.values()].map(async (socket) => {
        try {
          await this.authenticator.authenticate(socket.handshake);
        } catch (error) {
          if (!(error instanceof LiveTailAuthError)) return; // e.g. Postgres away: next time
          socket.emit(
            'error',
            problem('credentials_revoked', `Credentials no longer valid: ${error.message}`),
          );
          socket.disconnect(true);
        }
      }),
    );
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown): LiveTailAck {
    const client = this.hub.client(socket.id);
    if (!client) return this.refuse(socket, problem('invalid_request', 'Not connected'));
    const request = readSubscribeRequest(body);
    if ('code' in request) return this.refuse(socket, request);
    try {
      const query = this.compiler.compile(request.query);
      const source = socket.data.identity?.source ?? null;
      client.subscribe(source === null ? query : onlySource(query, source), request.levels);
    } catch (error) {
      if (!(error instanceof LiveQueryError)) throw error;
      // The previous subscription, if any, stays in force.
      return this.refuse(socket, {
        code: 'invalid_query',
        message: error.message,
        position: error.position,
        expected: error.expected,
      });
    }
    return { ok: true };
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() socket: LiveSocket): LiveTailAck {
    this.hub.client(socket.id)?.unsubscribe();
    return { ok: true };
  }

  @SubscribeMessage('pause')
  pause(@ConnectedSocket() socket: LiveSocket): LiveTailAck {
    this.hub.client(socket.id)?.pause();
    return { ok: true };
  }

  @SubscribeMessage('resume')
  resume(@ConnectedSocket() socket: LiveSocket): LiveTailAck {
    this.hub.client(socket.id)?.resume();
    return { ok: true };
  }

  private refuse(socket: LiveSocket, error: LiveTailErrorEvent): LiveTailAck {
    socket.emit('error', error);
    return { ok: false, error };
  }
}

/** A key restricted to one source sees only that source's lines, whatever it subscribes to. */
function onlySource(query: CompiledLiveQuery, source: string): CompiledLiveQuery {
  return { ...query, matches: (record) => record.source === source && query.matches(record) };
}

function problem(code: LiveTailErrorEvent['code'], message: string): LiveTailErrorEvent {
  return { code, message, position: null, expected: [] };
}

const LEVEL_NAMES: ReadonlySet<string> = new Set(LOG_LEVELS);

/** Validates a `subscribe` payload by hand (it comes from any client, untyped). */
function readSubscribeRequest(
  body: unknown,
): { query: string; levels: LogLevelName[] | null } | LiveTailErrorEvent {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return problem('invalid_request', 'subscribe expects { query: string, levels?: string[] }');
  }
  const { query, levels } = body as { query?: unknown; levels?: unknown };
  if (typeof query !== 'string') return problem('invalid_request', 'query must be a string');
  if (query.length > MAX_QUERY_LENGTH) {
    return problem('invalid_request', `query is longer than ${MAX_QUERY_LENGTH} characters`);
  }
  if (levels === undefined || levels === null) return { query, levels: null };
  if (!Array.isArray(levels) || !levels.every((level) => LEVEL_NAMES.has(level as string))) {
    return problem('invalid_request', `levels must be a list of: ${LOG_LEVELS.join(', ')}`);
  }
  return { query, levels: levels as LogLevelName[] };
}
