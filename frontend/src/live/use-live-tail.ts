import {
  LIVE_TAIL_NAMESPACE,
  LIVE_TAIL_PATH,
  type LiveTailAck,
  type LiveTailClientEvents,
  type LiveTailErrorEvent,
  type LiveTailLine,
  type LiveTailServerEvents,
  type LiveTailSkipReason,
  type LiveTailSubscribeRequest,
} from '@app/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { clearToken } from '../auth';
import { freshToken, renewSession, SESSION_EXPIRED } from '../api/session';
import { RingBuffer } from './ring-buffer';

/** Lines kept in the browser; older ones are dropped. */
export const TAIL_CAPACITY = 100_000;

export type TailEntry =
  | { kind: 'line'; key: number; line: LiveTailLine }
  | { kind: 'skipped'; key: number; count: number; reason: LiveTailSkipReason }
  | { kind: 'notice'; key: number; text: string; at: number };

export type TailStatus = 'connecting' | 'live' | 'paused' | 'disconnected';

type TailSocket = Socket<LiveTailServerEvents, LiveTailClientEvents>;

/**
 * The live-tail connection: one socket.io client for the page, lines kept in a ring buffer.
 * The component re-renders at most once per animation frame however fast lines arrive.
 */
export function useLiveTail(capacity = TAIL_CAPACITY) {
  const buffer = useRef(new RingBuffer<TailEntry>(capacity)).current;
  const socketRef = useRef<TailSocket | null>(null);
  const subscription = useRef<LiveTailSubscribeRequest | null>(null);
  const pausedRef = useRef(false);
  const nextKey = useRef(0);
  const frame = useRef(0);
  const arrivals = useRef<number[]>([]);
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState<TailStatus>('connecting');
  const [problem, setProblem] = useState<LiveTailErrorEvent | null>(null);
  const [received, setReceived] = useState(0);

  const refresh = useCallback(() => {
    if (frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      setVersion((v) => v + 1);
    });
  }, []);

  const notice = useCallback(
    (text: string) => {
      buffer.push({ kind: 'notice', key: nextKey.current++, text, at: Date.now() });
      refresh();
    },
    [buffer, refresh],
  );

  const send = useCallback(
    (request: LiveTailSubscribeRequest): Promise<LiveTailAck> =>
      new Promise((resolve) => {
        const socket = socketRef.current;
        if (!socket?.connected) {
          // Sent on (re)connect.
          resolve({ ok: true });
          return;
        }
        let done = false;
        const timer = window.setTimeout(() => {
          done = true;
          resolve({
            ok: false,
            error: {
              code: 'invalid_request',
              message: 'The server did not answer the subscription',
              position: null,
              expected: [],
            },
          });
        }, 10_000);
        socket.emit('subscribe', request, (ack) => {
          if (done) return;
          window.clearTimeout(timer);
          resolve(ack);
        });
      }),
    [],
  );

  useEffect(() => {
    const socket: TailSocket = io(LIVE_TAIL_NAMESPACE, {
      path: LIVE_TAIL_PATH,
      // WebSocket only: one TCP connection stays on one api process, no sticky sessions needed.
      transports: ['websocket'],
      // A function, so a reconnection uses the token of the moment (renewed when due).
      auth: (cb) => void freshToken().then((token) => cb({ token: token ?? '' })),
    });
    socketRef.current = socket;
    let wasConnected = false;

    socket.on('connect', () => {
      if (wasConnected) notice('Reconnected');
      wasConnected = true;
      setStatus(pausedRef.current ? 'paused' : 'live');
      const request = subscription.current;
      if (request) {
        void send(request).then((ack) => setProblem(ack.ok ? null : ack.error));
        if (pausedRef.current) socket.emit('pause');
      }
    });
    socket.on('disconnect', (reason) => {
      setStatus('disconnected');
      if (reason !== 'io client disconnect') notice('Connection lost — reconnecting…');
    });
    // The server ends the connection when the access token expires: renew it and reconnect.
    const renewAndReconnect = () => {
      socket.disconnect();
      void renewSession().then((token) => {
        if (token !== null) socket.connect();
        else clearToken(SESSION_EXPIRED);
      });
    };
    socket.on('connect_error', (error) => {
      setStatus('disconnected');
      if (/expired/i.test(error.message)) renewAndReconnect();
      else if (/invalid|missing|no longer exists/i.test(error.message)) {
        socket.disconnect();
        clearToken(SESSION_EXPIRED);
      }
    });
    socket.on('lines', (event, ack) => {
      const now = performance.now();
      for (const line of event.lines) {
        buffer.push({ kind: 'line', key: nextKey.current++, line });
        arrivals.current.push(now);
      }
      ack();
      refresh();
    });
    socket.on('skipped', (event) => {
      if (event.count > 0) {
        buffer.push({
          kind: 'skipped',
          key: nextKey.current++,
          count: event.count,
          reason: event.reason,
        });
        refresh();
      } else if (event.reason === 'paused') {
        notice('Resumed — no lines were missed');
      }
    });
    socket.on('error', (event) => {
      if (event.code === 'token_expired') {
        renewAndReconnect();
        return;
      }
      setProblem(event);
    });

    // Lines per second over the last 5 s, once a second.
    const rate = window.setInterval(() => {
      const cutoff = performance.now() - 5000;
      const list = arrivals.current;
      let drop = 0;
      while (drop < list.length && list[drop] < cutoff) drop++;
      if (drop > 0) list.splice(0, drop);
      setReceived(list.length / 5);
    }, 1000);

    return () => {
      window.clearInterval(rate);
      cancelAnimationFrame(frame.current);
      frame.current = 0;
      socket.removeAllListeners();
      socket.disconnect();
      socketRef.current = null;
    };
  }, [buffer, notice, refresh, send]);

  /** Replaces the subscription; resolves with the server's answer (an invalid query is refused). */
  const subscribe = useCallback(
    async (request: LiveTailSubscribeRequest): Promise<LiveTailAck> => {
      const previous = subscription.current;
      subscription.current = request;
      const ack = await send(request);
      if (ack.ok) {
        setProblem(null);
      } else {
        // The server keeps the previous subscription; so do we.
        subscription.current = previous;
        setProblem(ack.error);
      }
      return ack;
    },
    [send],
  );

  const setPaused = useCallback((paused: boolean) => {
    pausedRef.current = paused;
    const socket = socketRef.current;
    if (socket?.connected) {
      socket.emit(paused ? 'pause' : 'resume');
      setStatus(paused ? 'paused' : 'live');
    }
  }, []);

  const clear = useCallback(() => {
    buffer.clear();
    setVersion((v) => v + 1);
  }, [buffer]);

  return {
    buffer,
    /** Changes whenever the buffer does: a dependency for rendering. */
    version,
    status,
    problem,
    clearProblem: () => setProblem(null),
    /** Lines per second received lately. */
    rate: received,
    subscribe,
    setPaused,
    clear,
  };
}
