import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import type { LogRecord, LogSearchResponse } from '@app/contracts';
import { SyslogServer } from '@app/ingestion';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';

/** Syslog over UDP and TCP, sent by the real util-linux `logger`, parsed and stored. */
describe('syslog ingestion with util-linux logger (real api + worker)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let apiKey: string;
  let ports: { udp: number; tcp: number };
  let dir: string;

  beforeAll(async () => {
    testEnv = createTestEnv('syslog', { SYSLOG_PORT: '0', SYSLOG_MAX_MESSAGE_BYTES: '2048' });
    system = await startSystem(testEnv);
    apiKey = await system.createApiKey(await system.login());
    ports = system.api.get(SyslogServer).ports();
    dir = mkdtempSync(join(tmpdir(), 'lookout-syslog-'));
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const logger = (args: string[]) =>
    execFileSync('logger', ['--server', '127.0.0.1', ...args], { stdio: 'pipe' });
  const find = async (tag: string, expected = 1): Promise<LogRecord[]> =>
    waitFor<LogRecord[] | undefined>(async () => {
      const response = await fetch(
        `${system.baseUrl}/api/v1/logs?from=1970-01-01T00:00:00Z&source=syslog&q=${encodeURIComponent(tag)}&limit=1000`,
        {
          headers: { 'x-api-key': apiKey },
        },
      );
      const { items } = (await response.json()) as LogSearchResponse;
      return items.length >= expected ? items : undefined;
    }, `${expected} syslog line(s) with ${tag}`) as Promise<LogRecord[]>;

  it('RFC 5424 over UDP: severity, facility, app, msgid, structured data, non-ASCII', async () => {
    logger([
      '--udp',
      '--port',
      String(ports.udp),
      '--rfc5424',
      '-t',
      'billing',
      '-p',
      'local3.err',
      '--msgid',
      'PAY42',
      '--sd-id',
      'order@32473',
      '--sd-param',
      'id="7"',
      '--sd-param',
      'amount="12.50"',
      'udp5424 Zahlung fehlgeschlagen für Kunde Müller',
    ]);
    const [line] = await find('udp5424');
    expect(line.level).toBe('error');
    expect(line.message).toBe('udp5424 Zahlung fehlgeschlagen für Kunde Müller');
    expect(line.fields).toMatchObject({
      'syslog.facility': 'local3',
      'syslog.app_name': 'billing',
      'syslog.msgid': 'PAY42',
      'sd.order@32473.id': '7',
      'sd.order@32473.amount': '12.50',
    });
    expect(line.host).toBeTruthy();
    expect(Math.abs(Date.parse(line.ts) - Date.now())).toBeLessThan(60_000);
  });

  it('RFC 3164 over TCP with newline framing', async () => {
    logger([
      '--tcp',
      '--port',
      String(ports.tcp),
      '--rfc3164',
      '-t',
      'sshd',
      '-p',
      'auth.warning',
      'tcp3164 Failed password for root',
    ]);
    const [line] = await find('tcp3164');
    expect(line.level).toBe('warning');
    expect(line.message).toBe('tcp3164 Failed password for root');
    expect(line.fields).toMatchObject({ 'syslog.facility': 'auth', 'syslog.app_name': 'sshd' });
  });

  it('RFC 5424 over TCP with octet counting, a whole file of lines', async () => {
    const file = join(dir, 'lines.txt');
    writeFileSync(
      file,
      Array.from({ length: 500 }, (_, i) => `octet${i} line number ${i}`).join('\n') + '\n',
    );
    logger([
      '--tcp',
      '--octet-count',
      '--port',
      String(ports.tcp),
      '--rfc5424',
      '-t',
      'batch',
      '-f',
      file,
    ]);
    const lines = await find('line number', 500);
    const numbers = new Set(
      lines.filter((l) => l.message.startsWith('octet')).map((l) => l.message.split(' ')[0]),
    );
    expect(numbers.size).toBe(500);
  });

  it('cuts a message over the maximum size and flags it, keeping the connection usable', async () => {
    const socket = net.connect(ports.tcp, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `<14>1 2026-11-21T10:00:00Z h app - - - oversize ${'x'.repeat(5000)}\n<14>1 2026-11-21T10:00:01Z h app - - - aftersize ok\n`,
    );
    socket.end();
    const [big] = await find('oversize');
    expect(big.parseError).toContain('line truncated from');
    expect((await find('aftersize'))[0].message).toBe('aftersize ok');
  });

  it('survives garbage, a half-written frame and idle connections', async () => {
    const idle = await Promise.all(
      Array.from(
        { length: 1000 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(ports.tcp, '127.0.0.1', () => resolve(socket));
          }),
      ),
    );
    const garbage = net.connect(ports.tcp, '127.0.0.1');
    await new Promise((resolve) => garbage.once('connect', resolve));
    garbage.write(Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a, 0xc3, 0x28, 0x0a]));
    garbage.write('57 <14>1 2026-11-21T10:00:00Z h app - - - half-written fra');
    garbage.destroy();
    for (const socket of idle) socket.destroy();
    // The server still works for everyone else.
    logger([
      '--udp',
      '--port',
      String(ports.udp),
      '--rfc5424',
      '-t',
      'after',
      'aftergarbage still alive',
    ]);
    expect((await find('aftergarbage'))[0].message).toBe('aftergarbage still alive');
    const health = await fetch(`${system.baseUrl}/health`);
    expect(health.status).toBe(200);
  });

  it('reports syslog counters in /metrics', async () => {
    const metrics = await (await fetch(`${system.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/lookout_syslog_messages_total\{transport="udp"\} [1-9]/);
    expect(metrics).toMatch(/lookout_syslog_messages_total\{transport="tcp"\} [1-9]/);
    expect(metrics).toMatch(/lookout_syslog_udp_kernel_drops 0/);
    expect(metrics).toMatch(/lookout_syslog_truncated_total [1-9]/);
  });
});
