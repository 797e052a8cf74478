#!/usr/bin/env node
// Built-in format throughput on one core: each format's `parse` (building the ParsedLog included)
// over generated, realistic lines, and auto-detect over a mix of all of them. Needs
// `npm run build:server` first (reads dist/). Prints a table and writes
// bench/results/parsing-<timestamp>.json.
//
// Settings (env): BENCH_PARSE_LINES (200000 per format), BENCH_PARSE_PASSES (3; the median pass
// is reported, the first one still includes JIT warm-up).
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const { BUILT_IN_FORMATS, detectFormat, findFormat } = require(join(root, 'dist/libs/parsing/src'));

const LINES = Number(process.env.BENCH_PARSE_LINES ?? 200_000);
const PASSES = Number(process.env.BENCH_PARSE_PASSES ?? 3);
/** lines/s each format should reach through `parse` on one core (the brief's targets). */
const TARGETS = { 'nginx-access': 200_000, default: 50_000 };

// A small deterministic generator (mulberry32): every run parses the same lines.
let seed = 0x5eed;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const int = (min, max) => min + Math.floor(random() * (max - min + 1));
const chance = (p) => random() < p;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (value, width = 2) => String(value).padStart(width, '0');
const START = Date.UTC(2026, 10, 21, 8);
const at = (i) => new Date(START + i * 37);

const httpDate = (d) =>
  `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
  `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
const clock = (d) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

const publicIp = () => `${int(11, 99)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
const privateIp = () => `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
const PATHS = [
  '/',
  '/api/orders',
  '/api/orders/4711',
  '/api/users?page=2&size=50',
  '/static/app.3f9a1c.js',
  '/login',
  '/search?q=running+shoes&sort=price',
  '/favicon.ico',
  '/healthz',
];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'curl/8.4.0',
  'Go-http-client/1.1',
  'kube-probe/1.28',
];
const REFERRERS = ['-', '-', 'https://shop.example.com/', 'https://www.google.com/'];
const status = () => (chance(0.02) ? pick([500, 502, 503]) : chance(0.08) ? pick([404, 401]) : 200);
const seconds = () => (random() * 0.8).toFixed(3);
const request = () => `${pick(METHODS)} ${pick(PATHS)} HTTP/1.1`;
const combined = (i) =>
  `- [${httpDate(at(i))}] "${request()}" ${status()} ${int(0, 90_000)} "${pick(REFERRERS)}" "${pick(AGENTS)}"`;
const common = (i) =>
  `- [${httpDate(at(i))}] "${request()}" ${status()} ${chance(0.05) ? '-' : int(0, 90_000)}`;

/** One generator per format: line i of a realistic log. */
const GENERATORS = {
  'nginx-access': (i) => {
    const kind = random();
    if (kind < 0.55) return `${publicIp()} - ${combined(i)}`;
    if (kind < 0.7)
      return `${publicIp()} - ${combined(i)} "${publicIp()}" ${seconds()} ${seconds()}`;
    if (kind < 0.8) return `shop.example.com:443 ${publicIp()} - ${combined(i)}`;
    if (kind < 0.85) return `${privateIp()}, ${publicIp()} - ${combined(i)}`;
    if (kind < 0.9) {
      return `${publicIp()} - ${combined(i)} rt=${seconds()} uct="0.001" uht="0.004" urt="${seconds()}"`;
    }
    const upstream = `10.244.${int(0, 9)}.${int(2, 250)}:8080`;
    return (
      `${publicIp()} - ${combined(i)} ${int(200, 900)} ${seconds()} [shop-web-8080] [] ` +
      `${upstream} ${int(0, 9000)} ${seconds()} 200 ${(i * 2654435761).toString(16).padStart(32, '0')}`
    );
  },
  'nginx-error': (i) => {
    const d = at(i);
    const head = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${clock(d)}`;
    if (chance(0.2)) return `${head} [notice] ${int(1, 99)}#${int(1, 99)}: signal process started`;
    return (
      `${head} [${pick(['error', 'warn', 'crit'])}] ${int(100, 9999)}#0: *${i} ` +
      `open() "/usr/share/nginx/html${pick(PATHS)}" failed (2: No such file or directory), ` +
      `client: ${publicIp()}, server: shop.example.com, request: "${request()}", ` +
      `host: "shop.example.com", referrer: "https://shop.example.com/"`
    );
  },
  'apache-common': (i) => `${publicIp()} - ${common(i)}`,
  'apache-combined': (i) => `${publicIp()} - ${combined(i)}`,
  'apache-vhost': (i) => `www.example.org:443 ${publicIp()} - ${combined(i)}`,
  'apache-ssl-request': (i) =>
    `[${httpDate(at(i))}] ${publicIp()} TLSv1.${pick([2, 3])} ` +
    `${pick(['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_256_GCM_SHA384'])} "${request()}" ${int(0, 90_000)}`,
  'apache-error': (i) => {
    const d = at(i);
    const date =
      `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${clock(d)}` +
      `.${pad(int(0, 999_999), 6)} ${d.getUTCFullYear()}`;
    if (chance(0.2)) {
      return `[${date.replace(/\.\d+/, '')}] [error] [client ${publicIp()}] File does not exist: /var/www/favicon.ico`;
    }
    return (
      `[${date}] [${pick(['core:error', 'mpm_event:notice', 'ssl:warn', 'proxy:error'])}] ` +
      `[pid ${int(100, 99999)}:tid ${int(1e12, 9e12)}] [client ${publicIp()}:${int(1024, 65535)}] ` +
      `AH0${int(1000, 9999)}: File does not exist: /var/www/html${pick(PATHS)}`
    );
  },
  syslog: (i) => {
    const d = at(i);
    if (chance(0.5)) {
      return (
        `<${int(0, 191)}>1 ${d.toISOString()} web-${int(1, 9)} ${pick(['sshd', 'app', 'cron'])} ` +
        `${int(100, 9999)} ID${int(1, 99)} [meta seq="${i}"] User ${pick(['ann', 'bob'])} logged in`
      );
    }
    const day = String(d.getUTCDate()).padStart(2, ' ');
    return (
      `<${int(0, 191)}>${MONTHS[d.getUTCMonth()]} ${day} ${clock(d)} web-${int(1, 9)} ` +
      `sshd[${int(100, 9999)}]: Accepted publickey for ${pick(['ann', 'bob'])} from ${publicIp()} port ${int(1024, 65535)} ssh2`
    );
  },
  json: (i) =>
    JSON.stringify({
      '@timestamp': at(i).toISOString(),
      level: pick(['info', 'info', 'info', 'warn', 'error', 'debug']),
      msg: pick(['request served', 'upstream slow', 'cache miss', 'payment declined']),
      service: 'checkout',
      http: { method: pick(METHODS), path: pick(PATHS), status: status() },
      duration_ms: int(1, 900),
      trace: { id: (i * 2654435761).toString(16) },
      user: { id: int(1, 99999) },
    }),
  logfmt: (i) =>
    `ts=${at(i).toISOString()} level=${pick(['info', 'warn', 'error'])} msg="${pick(['request served', 'slow query', 'cache miss'])}" ` +
    `method=${pick(METHODS)} path=${pick(PATHS)} status=${status()} duration=${int(1, 900)}ms ` +
    `user=${pick(['alice', 'bob', 'carol'])} rows=${int(0, 500)}`,
  text: (i) =>
    `${at(i).toISOString()} ${pick(['INFO', 'WARN', 'ERROR', 'DEBUG'])} [worker-${int(1, 8)}] ` +
    `${pick(['processed batch', 'retrying connection to db', 'job finished', 'cache evicted'])} id=${i}`,
};

/** Names auto-detect may give a line of a format: the same text shape, the same result. */
const EQUIVALENT = {
  'apache-combined': ['nginx-access'],
  'apache-vhost': ['nginx-access'],
};

const context = { receivedAt: Date.UTC(2026, 10, 21, 12), host: 'bench', utcOffsetMinutes: 0 };

function generate(name, count) {
  const make = GENERATORS[name];
  const lines = new Array(count);
  for (let i = 0; i < count; i++) lines[i] = make(i);
  return lines;
}

/** Lines/s of each pass of `run` over `lines`; a checksum keeps the work from being optimised away. */
function measure(lines, run) {
  const rates = [];
  let checksum = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < lines.length; i++) checksum += run(lines[i]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rates.push(Math.round(lines.length / seconds));
  }
  const sorted = [...rates].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], passes: rates, checksum };
}

const results = [];
for (const format of BUILT_IN_FORMATS) {
  const lines = generate(format.name, LINES);
  // A bench of lines the format declines would measure the fallback: count them and say so.
  let declined = 0;
  for (const line of lines) {
    const parsed = format.parse(line, context);
    if (!parsed || parsed.parseError !== null) declined++;
  }
  const parse = findFormat(format.name).parse;
  const { median, passes } = measure(lines, (line) => parse(line, context).level);
  const target = TARGETS[format.name] ?? TARGETS.default;
  const bytes = lines.reduce((sum, line) => sum + line.length, 0);
  results.push({
    format: format.name,
    lines: lines.length,
    averageLineBytes: Math.round(bytes / lines.length),
    declined,
    linesPerSecond: median,
    passes,
    target,
    meetsTarget: median >= target && declined === 0,
  });
}

// Auto-detect over an even mix of every format, interleaved.
const names = BUILT_IN_FORMATS.map((format) => format.name);
const perFormat = Math.ceil(LINES / names.length);
const generated = names.map((name) => generate(name, perFormat));
const mix = [];
const truth = [];
for (let i = 0; i < perFormat; i++) {
  for (let f = 0; f < names.length; f++) {
    mix.push(generated[f][i]);
    truth.push(names[f]);
  }
}
let detectedRight = 0;
for (let i = 0; i < mix.length; i++) {
  const name = detectFormat(mix[i], context).format;
  if (name === truth[i] || EQUIVALENT[truth[i]]?.includes(name)) detectedRight++;
}
const detect = measure(mix, (line) => detectFormat(line, context).parsed.level);
const autoDetect = {
  lines: mix.length,
  linesPerSecond: detect.median,
  passes: detect.passes,
  detectedRight,
  detectedRightShare: Number((detectedRight / mix.length).toFixed(4)),
};

const table = [
  ['format', 'lines', 'avg bytes', 'lines/s (median)', 'passes', 'target', ''],
  ...results.map((r) => [
    r.format,
    r.lines,
    r.averageLineBytes,
    r.linesPerSecond.toLocaleString('en'),
    r.passes.map((rate) => Math.round(rate / 1000) + 'k').join(' '),
    r.target.toLocaleString('en'),
    r.meetsTarget ? 'ok' : r.declined > 0 ? `${r.declined} lines declined` : 'BELOW TARGET',
  ]),
  [
    'auto-detect (mix)',
    autoDetect.lines,
    '',
    autoDetect.linesPerSecond.toLocaleString('en'),
    autoDetect.passes.map((rate) => Math.round(rate / 1000) + 'k').join(' '),
    '',
    `${(100 * autoDetect.detectedRightShare).toFixed(2)}% named right`,
  ],
];
const widths = table[0].map((_, column) =>
  Math.max(...table.map((row) => String(row[column]).length)),
);
console.log(
  table
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0
            ? String(cell).padEnd(widths[column])
            : String(cell).padStart(widths[column]),
        )
        .join('  '),
    )
    .join('\n'),
);

const result = {
  benchmark: 'parsing: built-in formats, one core',
  at: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  },
  settings: { linesPerFormat: LINES, passes: PASSES, reported: 'median pass' },
  formats: results,
  autoDetect,
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
const file = join(root, 'bench/results', `parsing-${result.at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
console.log(`written ${file}`);
