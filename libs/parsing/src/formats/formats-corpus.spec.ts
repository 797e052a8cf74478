import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { levelFromWord } from '../levels';
import type { ParsedLog } from '../parsed-log';
import type { FormatContext } from './log-format';
import { detectFormat, parseWithFormat } from './registry';

// Real third-party logs with Filebeat's expected output, see /work/shared/corpus/SOURCES.md.
const corpus = path.resolve(__dirname, '../../../../../shared/corpus/elastic-beats');
const haveCorpus = existsSync(corpus);
if (!haveCorpus) {
  console.warn(`format corpus tests skipped: ${corpus} not found (see DESIGN.md §5)`);
}
const describeCorpus = haveCorpus ? describe : describe.skip;

// Filebeat ran with TZ=Etc/GMT+2: zone-less times are UTC-02:00.
const context: FormatContext = { receivedAt: Date.UTC(2024, 7, 29), utcOffsetMinutes: -120 };

type Document = Record<string, unknown>;
/** Reads the value that corresponds to one expected key out of a parsed line. */
type Extract = (parsed: ParsedLog, document: Document) => unknown;

interface Folder {
  folder: string;
  /** The format a source of these files would be configured with. */
  format: string;
  /** Other names auto-detect may give with the same meaning (identical text shapes). */
  alsoRight?: string[];
  /** Lines that continue the previous event, as Filebeat's multiline rule joins them. */
  continues?: (line: string) => boolean;
  /** Expected key → the parsed value it is compared with. */
  compare: Record<string, Extract>;
  /** Expected key prefix → field prefix it is compared with (`mongodb.log.` → `mongodb.`). */
  renames?: [string, string][];
  /** JSON keeps a document's keys: any other expected key is compared with the same-named field. */
  sameName?: boolean;
}

/**
 * Expected keys that are not compared, and why. Everything else in an expected document is
 * compared; a key that is neither fails the test, so nothing is skipped silently.
 */
const NOT_COMPARED: [RegExp, string][] = [
  [/^(source\.geo|source\.as)\./, 'GeoIP enrichment (Elasticsearch ingest), out of scope'],
  [/^user_agent\.(?!original$)/, 'user-agent parsing enrichment, out of scope'],
  [/^related\./, 'copies the ingest pipeline makes for search'],
  [/^(fileset|input|service\.type|agent|ecs)\b|^log\.(offset|flags|file)/, 'harness metadata'],
  [
    /^event\.(kind|category|type|outcome|dataset|module|timezone|created|ingested)$/,
    'Filebeat event classification',
  ],
  [
    /^event\.original$/,
    'the raw line itself (stored as `raw`); compared as the message where that is the raw text',
  ],
  [/^url\.extension$/, 'not derived: the path holds it'],
  [/^file\.path$/, 'Apache error: read out of the free-text message by Filebeat, not a log field'],
  [/^host\.id$/, 'Elasticsearch pipeline copy of elasticsearch.node.id (compared)'],
  [
    /_list$/,
    'ingress per-try lists: summarised as the last try (status, length, ip) and the total time; the raw text stays in the message',
  ],
  [
    /^logstash\.log\.log_event\.action$/,
    'Filebeat rewrites this nested array as a Ruby-like string; kept here as JSON',
  ],
];

const field =
  (name: string): Extract =>
  (parsed) =>
    parsed.fields[name];
const clientAddress: Extract = (parsed) =>
  parsed.fields['client.ip'] ?? parsed.fields['client.address'];
// Filebeat keeps milliseconds; the parsers keep microseconds as a fraction.
const timestamp: Extract = (parsed) => Math.floor(parsed.ts + 1e-6);
// Filebeat sorts lists in its expected output.
const sorted = (list: unknown) =>
  Array.isArray(list) && list.every((item) => typeof item !== 'object')
    ? list.map(String).sort()
    : list;
const addressList: Extract = (parsed) =>
  sorted((parsed.fields['client.ips'] as string[] | undefined) ?? [clientAddress(parsed, {})]);
// Seconds in Filebeat, milliseconds here.
const msAsSeconds =
  (read: (parsed: ParsedLog) => unknown): Extract =>
  (parsed) => {
    const ms = read(parsed);
    return typeof ms === 'number' ? ms / 1000 : ms;
  };
const asText =
  (read: Extract): Extract =>
  (parsed, document) => {
    const value = read(parsed, document);
    return value === undefined ? undefined : String(value);
  };
// Filebeat's url.path is percent-decoded and without the query.
const urlPath: Extract = (parsed) =>
  parsed.path === null ? undefined : decodeURIComponent(parsed.path.split('?')[0]);

const access: Record<string, Extract> = {
  '@timestamp': timestamp,
  'source.address': clientAddress,
  'source.ip': field('client.ip'),
  'http.request.method': (parsed) => parsed.method ?? undefined,
  'url.original': field('url.original'),
  'url.path': urlPath,
  'http.version': field('http.version'),
  'http.response.status_code': (parsed) => parsed.statusCode ?? undefined,
  'http.response.body.bytes': field('http.response.body.bytes'),
  'http.request.referrer': field('http.request.referrer'),
  'user_agent.original': field('user_agent.original'),
  'user.name': field('user.name'),
  'destination.domain': field('url.domain'),
  'destination.ip': field('url.domain'),
  'destination.port': asText(field('url.port')),
  'url.query': (parsed) =>
    parsed.path?.includes('?') ? decodeURIComponent(parsed.path.split('?')[1]) : undefined,
  'url.domain': field('url.domain'),
  'source.domain': field('client.address'),
  'event.original': (parsed) => parsed.message,
};

const jsonLevel: Extract = (parsed) => parsed.level;

const FOLDERS: Folder[] = [
  {
    folder: 'nginx/access',
    format: 'nginx-access',
    compare: { ...access, 'nginx.access.remote_ip_list': addressList },
  },
  {
    folder: 'nginx/ingress_controller',
    format: 'nginx-access',
    compare: {
      ...access,
      'nginx.ingress_controller.remote_ip_list': addressList,
      'http.request.id': field('http.request.id'),
      'nginx.ingress_controller.http.request.id': field('http.request.id'),
      'nginx.ingress_controller.http.request.length': field('http.request.bytes'),
      'nginx.ingress_controller.http.request.time': msAsSeconds((parsed) => parsed.latencyMs),
      'nginx.ingress_controller.upstream.name': field('nginx.upstream.name'),
      'nginx.ingress_controller.upstream.alternative_name': field(
        'nginx.upstream.alternative_name',
      ),
      'nginx.ingress_controller.upstream.ip': field('nginx.upstream.ip'),
      'nginx.ingress_controller.upstream.port': field('nginx.upstream.port'),
      'nginx.ingress_controller.upstream.response.length': field('nginx.upstream.response_length'),
      'nginx.ingress_controller.upstream.response.status_code': field('nginx.upstream.status'),
      'nginx.ingress_controller.upstream.response.time': msAsSeconds(
        (parsed) => parsed.fields['nginx.upstream.response_time_ms'],
      ),
      'nginx.ingress_controller.upstream_address_list': (parsed) =>
        sorted((parsed.fields['nginx.upstream.addr'] as string | undefined)?.split(', ')),
    },
  },
  {
    folder: 'nginx/error',
    format: 'nginx-error',
    continues: (line) => !/^\d{4}\/\d{2}\/\d{2} /.test(line),
    compare: {
      '@timestamp': timestamp,
      'log.level': jsonLevel,
      message: (parsed) => parsed.message,
      'process.pid': field('process.pid'),
      'process.thread.id': field('process.thread.id'),
      'nginx.error.connection_id': field('nginx.connection'),
    },
  },
  {
    folder: 'apache/access',
    format: 'apache-combined',
    alsoRight: ['apache-common', 'nginx-access'],
    compare: {
      ...access,
      'apache.access.ssl.protocol': (parsed) =>
        parsed.fields['tls.version_protocol'] === undefined
          ? undefined
          : `${String(parsed.fields['tls.version_protocol']).toUpperCase()}v${parsed.fields['tls.version']}`,
      'apache.access.ssl.cipher': field('tls.cipher'),
      'tls.cipher': field('tls.cipher'),
      'tls.version': field('tls.version'),
      'tls.version_protocol': field('tls.version_protocol'),
    },
  },
  {
    folder: 'apache/error',
    format: 'apache-error',
    compare: {
      '@timestamp': timestamp,
      'log.level': jsonLevel,
      message: (parsed) => parsed.message,
      'apache.error.module': field('apache.error.module'),
      'process.pid': field('process.pid'),
      'process.thread.id': field('process.thread.id'),
      'source.address': clientAddress,
      'source.ip': field('client.ip'),
      'source.port': asText(field('client.port')),
    },
  },
  ...['logstash/log', 'mongodb/log', 'elasticsearch/server', 'kibana/log'].map(
    (folder): Folder => ({
      folder,
      format: 'json',
      compare: {
        '@timestamp': timestamp,
        'log.level': jsonLevel,
        message: (parsed) => parsed.message,
        'http.request.method': (parsed) => parsed.method ?? undefined,
        'http.response.status_code': (parsed) => parsed.statusCode ?? undefined,
        'url.path': (parsed) => parsed.path ?? undefined,
        'logstash.log.module': field('loggerName'),
        'logstash.log.thread': field('thread'),
      },
      renames: [
        ['logstash.log.log_event.', 'logEvent.'],
        ['mongodb.log.', 'mongodb.'],
        ['kibana.log.meta.req.headers.', 'http.request.headers.'],
        ['kibana.log.meta.res.headers.', 'http.response.headers.'],
      ],
      sameName: true,
    }),
  ),
];

function extractFor(folder: Folder, key: string): Extract | undefined {
  if (folder.compare[key]) return folder.compare[key];
  if (NOT_COMPARED.some(([pattern]) => pattern.test(key))) return undefined;
  const rename = folder.renames?.find(([prefix]) => key.startsWith(prefix));
  if (rename) return field(rename[1] + key.slice(rename[0].length));
  return folder.sameName ? field(key) : undefined;
}

/** The level Filebeat names, as a syslog severity (MongoDB writes one letter). */
const MONGODB_LETTERS: Record<string, number> = { F: 2, E: 3, W: 4, I: 6, D: 7 };
function expectedLevel(word: string): number | undefined {
  return levelFromWord(word.replace(/\d$/, '')) ?? MONGODB_LETTERS[word.replace(/\d$/, '')];
}

/**
 * Expected values that mean "nothing" to these parsers, so nothing is stored: Filebeat keeps the
 * access log's `-` for an absent referrer, user agent or user, and empty upstream names.
 */
function meansNothing(key: string, value: unknown): boolean {
  return (
    (value === '-' &&
      ['http.request.referrer', 'user_agent.original', 'user.name'].includes(key)) ||
    (value === '' && key.startsWith('nginx.ingress_controller.upstream.'))
  );
}

/** What one expected value is compared with: dates as ms, levels as severities, lists sorted. */
function expectedValue(key: string, value: unknown): unknown {
  if (key === '@timestamp') return Date.parse(String(value));
  if (key === 'log.level') return expectedLevel(String(value));
  if (key === 'destination.port') return String(value);
  return sorted(value);
}

interface Tally {
  file: string;
  right: number;
  compared: number;
  misses: string[];
  detected: number;
  detectedSame: number;
  events: number;
  /** Format name → how many events auto-detect gave it. */
  names: Record<string, number>;
}

const tallies: Tally[] = [];

afterAll(() => {
  if (tallies.length === 0) return;
  const width = Math.max(...tallies.map((entry) => entry.file.length));
  const total = (pick: (entry: Tally) => number) =>
    tallies.reduce((sum, entry) => sum + pick(entry), 0);
  console.log(
    [
      'format corpus accuracy: fields right/compared with the configured format; auto-detect:',
      'events named as configured (or an equivalent name) and events parsed to the same result',
      ...tallies.map(
        (entry) =>
          `  ${entry.file.padEnd(width)}  ${entry.right}/${entry.compared} fields` +
          `  auto-detect ${entry.detected}/${entry.events} named, ` +
          `${entry.detectedSame}/${entry.events} same result (` +
          Object.entries(entry.names)
            .map(([name, count]) => `${name} ${count}`)
            .join(', ') +
          ')',
      ),
      `  ${'total'.padEnd(width)}  ${total((e) => e.right)}/${total((e) => e.compared)} fields` +
        `  auto-detect ${total((e) => e.detected)}/${total((e) => e.events)} named, ` +
        `${total((e) => e.detectedSame)}/${total((e) => e.events)} same result`,
    ].join('\n'),
  );
});

/** Events with their byte offsets; continuation lines are joined with `\n`. */
function events(file: string, continues?: (line: string) => boolean) {
  const found: { offset: number; text: string }[] = [];
  let offset = 0;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (continues && found.length > 0 && line !== '' && continues(line)) {
      found[found.length - 1].text += `\n${line}`;
    } else if (line.trim() !== '') {
      found.push({ offset, text: line });
    }
    offset += Buffer.byteLength(raw) + 1;
  }
  return found;
}

function show(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function same(expected: unknown, actual: unknown): boolean {
  return typeof expected === 'number' && typeof actual === 'number'
    ? Math.abs(expected - actual) < 1e-6
    : isDeepStrictEqual(expected, actual);
}

describeCorpus('built-in formats against the Filebeat module fixtures (elastic/beats)', () => {
  const cases = haveCorpus
    ? FOLDERS.flatMap((folder) =>
        readdirSync(path.join(corpus, folder.folder))
          .filter((name) => name.endsWith('.log'))
          .map((name): [string, Folder] => [`${folder.folder}/${name}`, folder]),
      )
    : [['(corpus missing)', FOLDERS[0]] as [string, Folder]];

  it('covers every fixture folder the formats claim', () => {
    expect(cases.map(([file]) => file)).toEqual(
      expect.arrayContaining([
        'nginx/access/test.log',
        'nginx/access/test-with-host.log',
        'nginx/error/error.log',
        'nginx/ingress_controller/test.log',
        'apache/access/test.log',
        'apache/access/ssl-request.log',
        'apache/access/test-vhost.log',
        'apache/error/test.log',
        'apache/error/sublevel.log',
        'logstash/log/logstash-json.log',
        'mongodb/log/mongodb-ubuntu-4.4.4-json.log',
        'elasticsearch/server/elasticsearch-json.800.log',
        'kibana/log/log.830.log',
      ]),
    );
  });

  it.each(cases)('%s', (file, folder) => {
    const expected: Document[] = JSON.parse(
      readFileSync(path.join(corpus, `${file}-expected.json`), 'utf8'),
    );
    // The upstream harness compares the first 100 events only.
    const found = events(path.join(corpus, file), folder.continues).slice(0, expected.length);
    expect(found.map((event) => event.offset)).toEqual(
      expected.map((document) => document['log.offset']),
    );
    // A file of one kind is configured with one format; Apache's access folder mixes three.
    const format = FORMAT_BY_FILE[file] ?? folder.format;

    const entry: Tally = {
      file,
      right: 0,
      compared: 0,
      misses: [],
      detected: 0,
      detectedSame: 0,
      events: found.length,
      names: {},
    };
    tallies.push(entry);
    found.forEach((event, index) => {
      const document = expected[index];
      const parsed = parseWithFormat(format, event.text, context);
      const where = `offset ${event.offset}`;
      if (parsed.parseError !== null) entry.misses.push(`${where}: ${parsed.parseError}`);
      for (const key of Object.keys(document)) {
        const extract = extractFor(folder, key);
        if (!extract) {
          if (!NOT_COMPARED.some(([pattern]) => pattern.test(key))) {
            entry.misses.push(`${where} ${key}: neither compared nor excluded`);
          }
          continue;
        }
        if (meansNothing(key, document[key])) continue;
        entry.compared++;
        const want = expectedValue(key, document[key]);
        const got = extract(parsed, document);
        if (same(want, got)) entry.right++;
        else entry.misses.push(`${where} ${key}: expected ${show(want)}, got ${show(got)}`);
      }
      const detected = detectFormat(event.text, context);
      entry.names[detected.format] = (entry.names[detected.format] ?? 0) + 1;
      if (detected.format === format || folder.alsoRight?.includes(detected.format)) {
        entry.detected++;
      }
      if (isDeepStrictEqual(detected.parsed, parsed)) entry.detectedSame++;
    });
    expect(entry.misses).toEqual([]);
    expect(entry.compared).toBeGreaterThan(0);
    expect(entry.right).toBe(entry.compared);
    expect(entry.detectedSame).toBe(entry.events);
  });
});

/** Files whose format is not their folder's. */
const FORMAT_BY_FILE: Record<string, string> = {
  'apache/access/ssl-request.log': 'apache-ssl-request',
  'apache/access/test-vhost.log': 'apache-vhost',
};
