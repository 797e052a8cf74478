/* global module */
// Realistic log lines for the dashboard's browser tests, screenshots and measurements: JSON lines
// of a few services (levels, hosts, paths, statuses, latencies, user fields) and nginx access
// lines, spread over the hours before `now` with a daily rhythm and an error burst. Deterministic.

const SERVICES = [
  { source: 'checkout-api', hosts: ['web-1', 'web-2', 'web-3'], weight: 5 },
  { source: 'payments', hosts: ['pay-1', 'pay-2'], weight: 3 },
  { source: 'auth', hosts: ['auth-1'], weight: 2 },
  { source: 'worker', hosts: ['worker-1', 'worker-2'], weight: 2 },
];
const PATHS = [
  ['/api/orders', 40],
  ['/api/orders/{id}', 25],
  ['/api/cart', 30],
  ['/api/users/me', 20],
  ['/api/search', 90],
  ['/login', 60],
  ['/api/payments', 180],
  ['/health', 2],
];
const USERS = ['ann', 'bob', 'chen', 'dara', 'eli', 'fatima', 'gus'];
const INFO_MESSAGES = [
  'request served',
  'order created',
  'cart updated',
  'user signed in',
  'cache hit for product catalogue',
  'payment authorised',
];
const WARN_MESSAGES = [
  'slow query on orders took {ms} ms',
  'retrying upstream call to inventory (attempt 2)',
  'cache miss for product catalogue',
];
const ERROR_MESSAGES = [
  'payment declined by bank: insufficient funds',
  'upstream timeout after 30s calling inventory',
  'database connection refused',
  'failed to render invoice pdf',
];
const DEBUG_MESSAGES = ['loaded feature flags', 'span finished', 'connection pool stats'];

/** A small deterministic PRNG (mulberry32), so every run seeds the same lines. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (rand, list) => list[Math.floor(rand() * list.length)];

function pad(n) {
  return String(n).padStart(2, '0');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function nginxTime(ms) {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/**
 * `count` lines over the `hours` before `now`, by source: `{ source: string[] }`. Busier in the
 * daytime; an error burst on payments 2 hours before `now`.
 */
function sampleLogs({ now = Date.now(), hours = 24, count = 5000, seed = 42 } = {}) {
  const rand = random(seed);
  const bySource = {};
  const totalWeight = SERVICES.reduce((sum, s) => sum + s.weight, 0);
  const spanMs = hours * 3_600_000;
  for (let i = 0; i < count; i++) {
    // Time: more lines in daytime hours (UTC 7–20), a burst 2 h before now.
    let ts = now - rand() * spanMs;
    const hour = new Date(ts).getUTCHours();
    if ((hour < 7 || hour > 20) && rand() < 0.5) ts = now - rand() * spanMs;
    const burst = rand() < 0.06;
    if (burst) ts = now - 2 * 3_600_000 + (rand() - 0.5) * 10 * 60_000;

    if (!burst && rand() < 0.18) {
      const path = pick(rand, PATHS)[0].replace('{id}', String(1000 + Math.floor(rand() * 9000)));
      const status = rand() < 0.04 ? 502 : rand() < 0.08 ? 404 : 200;
      const line = `10.0.${Math.floor(rand() * 4)}.${Math.floor(rand() * 250)} - - [${nginxTime(ts)}] "${rand() < 0.7 ? 'GET' : 'POST'} ${path} HTTP/1.1" ${status} ${Math.floor(rand() * 5000)} "-" "Mozilla/5.0"`;
      (bySource.nginx ??= []).push(line);
      continue;
    }

    let r = rand() * totalWeight;
    let service = SERVICES[0];
    for (const s of SERVICES) {
      r -= s.weight;
      if (r <= 0) {
        service = s;
        break;
      }
    }
    if (burst) service = SERVICES[1];
    const [pathTemplate, baseLatency] = pick(rand, PATHS);
    const path = pathTemplate.replace('{id}', String(1000 + Math.floor(rand() * 9000)));
    const roll = rand();
    let level = 'info';
    if (burst || roll < 0.03) level = 'error';
    else if (roll < 0.1) level = 'warning';
    else if (roll < 0.18) level = 'debug';
    else if (roll < 0.19) level = 'critical';
    const latency = Math.round(baseLatency * (0.5 + rand() * 1.5) * (level === 'warning' ? 6 : 1));
    let message =
      level === 'error' || level === 'critical'
        ? pick(rand, ERROR_MESSAGES)
        : level === 'warning'
          ? pick(rand, WARN_MESSAGES)
          : level === 'debug'
            ? pick(rand, DEBUG_MESSAGES)
            : pick(rand, INFO_MESSAGES);
    if (burst) message = 'payment declined by bank: card issuer unavailable';
    message = message.replace('{ms}', String(latency));
    const status =
      level === 'error' || level === 'critical'
        ? rand() < 0.5
          ? 500
          : 503
        : rand() < 0.05
          ? 404
          : 200;
    const record = {
      time: new Date(ts).toISOString(),
      level,
      msg: message,
      host: pick(rand, service.hosts),
      method: rand() < 0.65 ? 'GET' : 'POST',
      path,
      status,
      latency_ms: latency,
      user: pick(rand, USERS),
      trace_id: Math.floor(rand() * 2 ** 48).toString(16),
    };
    (bySource[service.source] ??= []).push(JSON.stringify(record));
  }
  return bySource;
}

module.exports = { sampleLogs };
