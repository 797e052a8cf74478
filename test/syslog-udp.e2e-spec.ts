import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Client } from 'pg';
import { SyslogServer } from '@app/ingestion';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';

const DATAGRAMS = 6000;
const PER_SECOND = 5000;
/** The api's main loop is kept busy in chunks this long, as decoding big ingest bodies does. */
const BUSY_CHUNK_MS = 20;
/**
 * 1 MiB (the kernel doubles it): about 2,500 such datagrams fit, fewer than are sent, so the
 * socket must be read while the main loop is busy for none to be lost.
 */
const RECEIVE_BUFFER_BYTES = 1024 * 1024;

/**
 * Sends `count` datagrams to `port`, paced at `perSecond`, from a process of its own (not slowed by
 * the busy loop). No HOSTNAME in them: the stored host is then the sender's address.
 */
const SENDER = `
const [port, count, perSecond] = process.argv.slice(1).map(Number);
const socket = require('node:dgram').createSocket('udp4');
const start = Date.now();
let sent = 0;
let done = 0;
// Closing the socket before every send has gone out would lose the last ones.
const onSent = () => ++done === count && socket.close();
const tick = () => {
  const due = Math.min(count, Math.floor(((Date.now() - start) * perSecond) / 1000));
  for (; sent < due; sent++)
    socket.send('<134>1 2026-11-21T10:00:00.000Z - app - - - udpflood ' + sent + ' of the flood', port, '127.0.0.1', onSent);
  if (sent < count) setTimeout(tick, 1);
};
tick();
`;

/**
 * Syslog UDP while the api's main thread is busy: the socket is read on a thread of its own, so
 * the kernel's buffer does not overflow. (In tests the api runs in this process: a busy loop here
 * is a busy loop in the api.)
 */
describe('syslog UDP with a busy api (real api + worker)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let db: Client;

  beforeAll(async () => {
    testEnv = createTestEnv('syslog_udp', {
      SYSLOG_UDP_RECEIVE_BUFFER_BYTES: String(RECEIVE_BUFFER_BYTES),
    });
    system = await startSystem(testEnv);
    db = new Client({ connectionString: testEnv.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await system?.close();
    await testEnv?.cleanup();
  });

  const metric = async (pattern: RegExp) => {
    const text = await (await fetch(`${system.baseUrl}/metrics`)).text();
    return Number(pattern.exec(text)?.[1] ?? 0);
  };

  it('stores every datagram sent at 5,000/s while the main loop is busy', async () => {
    const { udp } = system.api.get(SyslogServer).ports();
    const busy = setInterval(() => {
      const until = Date.now() + BUSY_CHUNK_MS;
      while (Date.now() < until);
    }, 1);
    try {
      const sender = spawn(
        process.execPath,
        ['-e', SENDER, String(udp), String(DATAGRAMS), String(PER_SECOND)],
        { stdio: 'inherit' },
      );
      const [code] = await once(sender, 'exit');
      expect(code).toBe(0);
    } finally {
      clearInterval(busy);
    }

    // Every datagram is accounted for: read by the api, or dropped by the kernel.
    await waitFor(
      async () =>
        (await metric(/lookout_syslog_messages_total\{transport="udp"\} (\d+)/)) +
          (await metric(/lookout_syslog_udp_kernel_drops (\d+)/)) >=
        DATAGRAMS,
      'every datagram read or dropped',
      30_000,
      100,
    );
    await system.drain(60_000);
    const { rows } = await db.query<{ total: string; distinct_lines: string; origins: string[] }>(
      `SELECT count(*) AS total, count(DISTINCT message) AS distinct_lines,
              array_agg(DISTINCT source || ' ' || host) AS origins
         FROM logs WHERE message LIKE 'udpflood %'`,
    );
    expect({
      stored: Number(rows[0].total),
      distinct: Number(rows[0].distinct_lines),
      kernelDrops: await metric(/lookout_syslog_udp_kernel_drops (\d+)/),
      origins: rows[0].origins,
    }).toEqual({
      stored: DATAGRAMS,
      distinct: DATAGRAMS,
      kernelDrops: 0,
      origins: ['syslog 127.0.0.1'],
    });
  }, 120_000);
});
