import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { LogSearchResponse } from '@app/contracts';
import { SyslogServer } from '@app/ingestion';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';

/** Syslog over TLS (RFC 5425, octet-counted) with a self-signed certificate, and a 10 MB line over TCP. */
describe('syslog over TLS and oversized lines (real api + worker)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let apiKey: string;
  let dir: string;
  let cert: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lookout-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'pipe' },
    );
    cert = readFileSync(join(dir, 'cert.pem'));
    testEnv = createTestEnv('syslog_tls', {
      SYSLOG_TLS_PORT: '0',
      SYSLOG_TLS_CERT: join(dir, 'cert.pem'),
      SYSLOG_TLS_KEY: join(dir, 'key.pem'),
    });
    system = await startSystem(testEnv);
    apiKey = await system.createApiKey(await system.login());
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const find = (word: string) =>
    waitFor(async () => {
      const response = await fetch(
        `${system.baseUrl}/api/v1/logs?from=1970-01-01T00:00:00Z&source=syslog&q=${word}`,
        {
          headers: { 'x-api-key': apiKey },
        },
      );
      const { items } = (await response.json()) as LogSearchResponse;
      return items.length > 0 ? items : undefined;
    }, `a syslog line with ${word}`);

  it('receives octet-counted syslog over TLS', async () => {
    const port = system.api.get(SyslogServer).ports().tls!;
    const socket = tls.connect({ host: '127.0.0.1', port, ca: cert, servername: 'localhost' });
    await new Promise((resolve, reject) =>
      socket.once('secureConnect', resolve).once('error', reject),
    );
    const message = '<11>1 2026-11-21T10:00:00Z db1 postgres 42 - - overtls checkpoint failed';
    socket.end(`${Buffer.byteLength(message)} ${message}`);
    const [line] = (await find('overtls'))!;
    expect(line).toMatchObject({
      level: 'error',
      host: 'db1',
      message: 'overtls checkpoint failed',
    });
  });

  it('cuts a 10 MB line without holding it and keeps serving', async () => {
    const socket = net.connect(system.api.get(SyslogServer).ports().tcp, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('<14>1 2026-11-21T10:00:00Z h app - - - tenmega ');
    const chunk = Buffer.alloc(1024 * 1024, 'z');
    for (let i = 0; i < 10; i++) {
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
    }
    socket.end('\n<14>1 2026-11-21T10:00:01Z h app - - - afterten fine\n');
    const [big] = (await find('tenmega'))!;
    expect(big.parseError).toMatch(/line truncated from 1048\d{4} characters/);
    expect(big.message.length).toBeLessThan(70_000);
    expect((await find('afterten'))![0].message).toBe('afterten fine');
  });
});
