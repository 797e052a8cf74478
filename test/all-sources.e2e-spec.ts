import * as dgram from 'node:dgram';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { SyslogServer } from '@app/ingestion';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';

const PER_SOURCE = 10_000;
const UDP_LINES = 5_000;

/**
 * Every source at once: HTTP, syslog TCP (newline and octet-counted framing), syslog UDP and a
 * file tail, each sending lines with unique sequence numbers. Every line must be stored exactly
 * once (UDP: loss is measured, and must be 0 at this moderate rate on loopback).
 */
describe('all sources at once (real api + worker)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let db: Client;
  let dir: string;

  beforeAll(async () => {
    testEnv = createTestEnv('all_sources');
    system = await startSystem(testEnv);
    db = new Client({ connectionString: testEnv.databaseUrl });
    await db.connect();
    dir = mkdtempSync(join(tmpdir(), 'lookout-all-'));
  });

  afterAll(async () => {
    await db?.end();
    await system?.close();
    await testEnv?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const tag = (kind: string, seq: number) => `allsrc ${kind} seq=${seq}`;

  async function sendHttp(key: string): Promise<void> {
    for (let start = 0; start < PER_SOURCE; start += 1000) {
      const body = Array.from({ length: 1000 }, (_, i) => tag('http', start + i)).join('\n');
      const response = await fetch(`${system.baseUrl}/api/v1/ingest?source=all-http`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'text/plain' },
        body,
      });
      expect(response.status).toBe(202);
    }
  }

  async function sendTcp(port: number, framing: 'newline' | 'octet'): Promise<void> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    for (let start = 0; start < PER_SOURCE; start += 500) {
      const frames = Array.from({ length: 500 }, (_, i) => {
        const message = `<14>1 ${new Date().toISOString()} h tcp${framing} - - - ${tag(`tcp${framing}`, start + i)}`;
        return framing === 'octet' ? `${Buffer.byteLength(message)} ${message}` : `${message}\n`;
      });
      if (!socket.write(frames.join('')))
        await new Promise((resolve) => socket.once('drain', resolve));
      // Split a frame across writes on purpose.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise<void>((resolve) => socket.end(resolve));
  }

  async function sendUdp(port: number): Promise<void> {
    const socket = dgram.createSocket('udp4');
    for (let start = 0; start < UDP_LINES; start += 100) {
      await Promise.all(
        Array.from(
          { length: 100 },
          (_, i) =>
            new Promise((resolve) =>
              socket.send(
                `<14>1 ${new Date().toISOString()} h udp - - - ${tag('udp', start + i)}`,
                port,
                '127.0.0.1',
                resolve,
              ),
            ),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 20)); // about 5,000 lines/s
    }
    socket.close();
  }

  async function writeFile(): Promise<void> {
    const file = join(dir, 'all.log');
    for (let start = 0; start < PER_SOURCE; start += 1000) {
      appendFileSync(
        file,
        Array.from({ length: 1000 }, (_, i) => tag('file', start + i)).join('\n') + '\n',
      );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('stores every line of every source exactly once', async () => {
    const token = await system.login();
    const key = await system.createApiKey(token);
    writeFileSync(join(dir, 'all.log'), '');
    const created = await fetch(`${system.baseUrl}/api/v1/sources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'all-file',
        type: 'file',
        settings: { include: [join(dir, '*.log')], startAt: 'beginning' },
      }),
    });
    expect(created.status).toBe(201);
    const ports = system.api.get(SyslogServer).ports();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the tailer picks up the empty file

    await Promise.all([
      sendHttp(key),
      sendTcp(ports.tcp, 'newline'),
      sendTcp(ports.tcp, 'octet'),
      sendUdp(ports.udp),
      writeFile(),
    ]);

    const expected: Record<string, number> = {
      http: PER_SOURCE,
      tcpnewline: PER_SOURCE,
      tcpoctet: PER_SOURCE,
      file: PER_SOURCE,
      udp: UDP_LINES,
    };
    const counts = async () => {
      const { rows } = await db.query<{ kind: string; total: string; distinct_lines: string }>(
        `SELECT split_part(message, ' ', 2) AS kind, count(*) AS total, count(DISTINCT message) AS distinct_lines
           FROM logs WHERE message LIKE 'allsrc %' GROUP BY 1`,
      );
      return Object.fromEntries(
        rows.map((row) => [
          row.kind,
          { total: Number(row.total), distinct: Number(row.distinct_lines) },
        ]),
      );
    };
    await waitFor(
      async () => {
        const now = await counts();
        return Object.entries(expected).every(([kind, n]) => (now[kind]?.total ?? 0) >= n);
      },
      'every line of every source',
      60_000,
      200,
    );
    await system.drain();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const final = await counts();
    for (const [kind, n] of Object.entries(expected)) {
      expect({ kind, ...final[kind] }).toEqual({ kind, total: n, distinct: n });
    }
    const sources = await db.query(
      `SELECT DISTINCT source FROM logs WHERE message LIKE 'allsrc %' ORDER BY 1`,
    );
    expect(sources.rows.map((row) => row.source)).toEqual(['all-file', 'all-http', 'syslog']);
  });
});
