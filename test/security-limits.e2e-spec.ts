import { createTestEnv, startSystem, type TestEnv, type TestSystem } from '@app/testing';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** RFC 4180 records (quoted cells, doubled quotes, CRLF) → rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += char;
  }
  return rows;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(tsx?|jsx?)$/.test(name) ? [path] : [];
  });
}

/** Body limits, security headers, CORS, rate-limit headers and hostile log content (api + worker). */
describe('limits, headers and hostile content (real api + worker)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let admin: string;
  let key: string;

  const ingestJson = (body: unknown, source: string) =>
    fetch(`${system.baseUrl}/api/v1/ingest?source=${source}`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    testEnv = createTestEnv('security_limits', { INGEST_MAX_BODY_BYTES: String(4 * 1024 * 1024) });
    system = await startSystem(testEnv);
    admin = await system.login();
    key = await system.createApiKey(admin, 'limits');
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
  });

  describe('body limits', () => {
    it('refuses bodies over 1 MiB on configuration routes with a JSON 413', async () => {
      const body = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), query: '' });
      for (const path of ['/api/v1/saved-searches', '/api/v1/users', '/api/v1/auth/login']) {
        const response = await fetch(`${system.baseUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body,
        });
        expect([path, response.status]).toEqual([path, 413]);
        expect(await response.json()).toMatchObject({
          statusCode: 413,
          error: 'Payload Too Large',
        });
      }
      // Just under the limit goes through to validation.
      const small = await fetch(`${system.baseUrl}/api/v1/saved-searches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x'.repeat(1000 * 1000) }),
      });
      expect(small.status).toBe(400);
    });

    it('keeps INGEST_MAX_BODY_BYTES on ingest routes, compressed or not', async () => {
      const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'y'.repeat(1000)}`);
      const twoMiB = lines.join('\n');
      const ingest = (body: Buffer | string, headers: Record<string, string> = {}) =>
        fetch(`${system.baseUrl}/api/v1/ingest?source=big`, {
          method: 'POST',
          headers: { 'x-api-key': key, 'content-type': 'text/plain', ...headers },
          body,
        });
      expect((await ingest(twoMiB)).status).toBe(202);
      expect((await ingest(twoMiB + twoMiB + twoMiB)).status).toBe(413);
      // A small gzip that inflates past the limit (a zip bomb) is refused too.
      const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 'a'));
      expect(bomb.length).toBeLessThan(1024 * 1024);
      expect((await ingest(bomb, { 'content-encoding': 'gzip' })).status).toBe(413);
      const bulk = `${'{"index":{}}\n{"message":"big"}\n'.repeat(80_000)}`;
      expect(bulk.length).toBeGreaterThan(2 * 1024 * 1024);
      const bulkReply = await fetch(`${system.baseUrl}/api/v1/compat/es/_bulk?source=big`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/x-ndjson' },
        body: bulk,
      });
      expect(bulkReply.status).toBe(200);
    });
  });

  describe('headers', () => {
    it('sends a strict content security policy and the usual hardening headers everywhere', async () => {
      for (const path of ['/', '/api/v1/logs', '/health', '/docs']) {
        const response = await fetch(`${system.baseUrl}${path}`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        const csp = response.headers.get('content-security-policy') ?? '';
        const directive = (name: string) =>
          csp
            .split(';')
            .map((part) => part.trim())
            .find((part) => part.startsWith(`${name} `));
        expect([path, directive('script-src')]).toEqual([path, "script-src 'self'"]);
        expect(directive('default-src')).toBe("default-src 'self'");
        expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
        expect(directive('object-src')).toBe("object-src 'none'");
        expect(directive('connect-src')).toMatch(/^connect-src 'self'/);
        expect(csp).not.toContain('upgrade-insecure-requests');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      }
    });

    it('sends no CORS header when CORS_ORIGINS is empty (same origin only)', async () => {
      const preflight = await fetch(`${system.baseUrl}/api/v1/logs`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const simple = await fetch(`${system.baseUrl}/api/v1/logs`, {
        headers: { origin: 'https://evil.example', authorization: `Bearer ${admin}` },
      });
      expect(simple.status).toBe(200);
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('states the rate limits: per address and per credential, ingest higher', async () => {
      const api = await fetch(`${system.baseUrl}/api/v1/logs`, { headers: { 'x-api-key': key } });
      expect(api.headers.get('x-ratelimit-limit-ip')).toBe('12000');
      expect(api.headers.get('x-ratelimit-limit-credential')).toBe('12000');
      const ingest = await ingestJson({ message: 'rate' }, 'rate');
      expect(ingest.status).toBe(202);
      expect(ingest.headers.get('x-ratelimit-limit-ip')).toBe('60000');
      expect(ingest.headers.get('x-ratelimit-limit-credential')).toBe('60000');
      const anonymous = await fetch(`${system.baseUrl}/health`);
      expect(anonymous.headers.get('x-ratelimit-limit-ip')).toBe('12000');
      expect(anonymous.headers.get('x-ratelimit-limit-credential')).toBeNull();
    });
  });

  describe('hostile log content', () => {
    const hostile = [
      "=cmd|' /C calc'!A0",
      '+SUM(1,2)',
      '-2+3',
      '@SUM(A1:A9)',
      '\tTAB=1',
      '\rCR=1',
      'plain "quoted", text',
      '<script>alert(1)</script><img src=x onerror=alert(2)>',
    ];

    beforeAll(async () => {
      const response = await ingestJson(
        hostile.map((message) => ({ message, host: '=HYPERLINK("http://x","y")' })),
        'hostile',
      );
      expect(response.status).toBe(202);
      await system.drain();
    });

    it('exports CSV whose cells a spreadsheet cannot run as formulas', async () => {
      const response = await fetch(
        `${system.baseUrl}/api/v1/logs/export?format=csv&source=hostile`,
        { headers: { 'x-api-key': key } },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      const [header, ...rows] = parseCsv(await response.text());
      const message = header.indexOf('message');
      const host = header.indexOf('host');
      expect(rows).toHaveLength(hostile.length);
      expect(rows.map((row) => row[message]).sort()).toEqual(
        hostile.map((text) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text)).sort(),
      );
      for (const row of rows) {
        expect(row[host]).toBe(`'=HYPERLINK("http://x","y")`);
        for (const cell of row) expect(cell).not.toMatch(/^[=+@\t\r]/);
      }
    });

    it('serves log text only as JSON data, never as markup', async () => {
      const response = await fetch(`${system.baseUrl}/api/v1/logs?source=hostile`, {
        headers: { 'x-api-key': key },
      });
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const body = (await response.json()) as { items: { message: string }[] };
      expect(body.items.map((item) => item.message)).toContain(hostile[7]);
      // The dashboard renders text through React only: no raw-HTML sinks in its source.
      const sinks = sourceFiles(join(__dirname, '..', 'frontend', 'src')).filter((file) =>
        /dangerouslySetInnerHTML|\.innerHTML\s*=|outerHTML|insertAdjacentHTML|document\.write/.test(
          readFileSync(file, 'utf8'),
        ),
      );
      expect(sinks).toEqual([]);
    });

    it('never lets query text reach SQL', async () => {
      const count = async () =>
        (
          (await (
            await fetch(`${system.baseUrl}/api/v1/logs?source=hostile&limit=1000`, {
              headers: { 'x-api-key': key },
            })
          ).json()) as { items: unknown[] }
        ).items.length;
      const before = await count();
      const attacks = [
        "'; DROP TABLE logs; --",
        "x' OR '1'='1",
        `message:"x' OR '1'='1"`,
        "source:hostile') OR (1=1",
        "fields.a') OR 1=1 --:x",
        "fields.a'b:1",
        'status:>=0 UNION SELECT * FROM users',
        '$1 $2 $$ $$',
        "E'\\x27' OR TRUE",
        "%' OR 1=1 --",
        "path:/*' OR 1=1 --",
        'latency_ms:[0 TO 1e999]',
        `level:error) OR (1=1`,
        'message:/.*/ OR pg_sleep(10)',
      ];
      for (const q of attacks) {
        const response = await fetch(
          `${system.baseUrl}/api/v1/logs?source=hostile&q=${encodeURIComponent(q)}`,
          { headers: { 'x-api-key': key } },
        );
        expect([q, [200, 400].includes(response.status)]).toEqual([q, true]);
        if (response.status === 200) {
          const body = (await response.json()) as { items: { message: string }[] };
          // Whatever matched, it matched as text: an injected OR TRUE would return every line.
          expect([q, body.items.length < hostile.length]).toEqual([q, true]);
        }
      }
      expect(await count()).toBe(before);
    });
  });
});

describe('CORS with an allow-list (api only)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;

  beforeAll(async () => {
    testEnv = createTestEnv('security_cors', { CORS_ORIGINS: 'https://dash.example.com' });
    system = await startSystem(testEnv, { worker: false });
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
  });

  const preflight = (origin: string) =>
    fetch(`${system.baseUrl}/api/v1/logs`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });

  it('answers listed origins, and only them', async () => {
    const allowed = await preflight('https://dash.example.com');
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dash.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
