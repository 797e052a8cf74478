// CPU and memory of every process that does the work, sampled once a second from /proc (Linux):
// each Lookout process by name, the PostgreSQL backends serving the bench database (summed), the
// PostgreSQL server's own processes (WAL writer, checkpointer, autovacuum…: shared with any other
// database on the server), redis-server (shared too) and the bench itself (the load generator).
//
// RSS: VmRSS for node and redis; for PostgreSQL the sum of RssAnon (private memory): every backend
// maps shared_buffers, and summing that would count it once per backend.
const { readdirSync, readFileSync } = require('node:fs');

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function readStat(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in ticks
  } catch {
    return undefined; // gone
  }
}

function readMemoryKb(pid, field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function readText(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** A client backend's title names its database and client: "postgres db 127.0.0.1(5432) idle". */
const CLIENT_BACKEND = /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]|\[?[0-9a-f:]+\]?\(\d+\)/;

class ResourceSampler {
  /**
   * `lookout`: [{ name, pid }] of the system's processes; `database`: the bench's database name;
   * `extra`: an async function whose result is stored with each sample (pipeline counters).
   */
  constructor({ lookout, database, extra, intervalMs = 1000 }) {
    this.lookout = lookout;
    this.database = database;
    this.extra = extra;
    this.intervalMs = intervalMs;
    this.samples = [];
    /** pid → group name, or null for a process we do not follow. */
    this.groups = new Map();
    /** pid → CPU ticks at the previous sample. */
    this.lastTicks = new Map();
    /** group → CPU ticks accumulated since the sampler started. */
    this.totals = new Map();
  }

  groupOf(pid) {
    if (this.groups.has(pid)) return this.groups.get(pid);
    let group = null;
    const own = this.lookout.find((child) => child.pid === pid);
    if (own) group = own.name;
    else if (pid === process.pid) group = 'bench';
    else {
      const comm = readText(pid, 'comm').trim();
      if (comm === 'redis-server') group = 'redis';
      else if (comm === 'postgres') {
        const title = readText(pid, 'cmdline');
        if (!CLIENT_BACKEND.test(title)) group = 'postgres-server';
        else if (title.split(/\s+/).includes(this.database)) group = 'postgres';
      }
    }
    this.groups.set(pid, group);
    return group;
  }

  start() {
    // The first sample sets the baseline: CPU already spent before it is not counted.
    this.sampleOnce(true);
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  async sample() {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const extra = this.extra ? await this.extra().catch(() => ({})) : {};
      this.sampleOnce(false, extra);
    } finally {
      this.sampling = false;
    }
  }

  sampleOnce(baseline, extra = {}) {
    const seen = new Set();
    const rssKb = new Map();
    const cpuTicks = new Map();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      const group = this.groupOf(pid);
      if (group === null) continue;
      const ticks = readStat(pid);
      if (ticks === undefined) continue;
      seen.add(pid);
      // A process first seen after the start began during the run: all its CPU counts.
      const previous = this.lastTicks.get(pid) ?? (baseline ? ticks : 0);
      this.lastTicks.set(pid, ticks);
      cpuTicks.set(group, (cpuTicks.get(group) ?? 0) + (ticks - previous));
      const field = group.startsWith('postgres') ? 'RssAnon' : 'VmRSS';
      rssKb.set(group, (rssKb.get(group) ?? 0) + readMemoryKb(pid, field));
    }
    for (const pid of this.lastTicks.keys()) if (!seen.has(pid)) this.lastTicks.delete(pid);
    for (const [group, ticks] of cpuTicks)
      this.totals.set(group, (this.totals.get(group) ?? 0) + ticks);
    const cpuSeconds = {};
    for (const [group, ticks] of this.totals) cpuSeconds[group] = ticks / TICKS_PER_SECOND;
    const rssMb = {};
    for (const [group, kb] of rssKb) rssMb[group] = Math.round(kb / 102.4) / 10;
    this.samples.push({ t: performance.now(), at: Date.now(), cpuSeconds, rssMb, ...extra });
  }

  stop() {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.sampleOnce(false);
  }

  /** The samples taken between two performance.now() times (inclusive). */
  between(from, to) {
    return this.samples.filter((sample) => sample.t >= from && sample.t <= to);
  }

  /**
   * Per process over [from, to]: CPU seconds, mean and highest CPU % (of one core) over 1-s
   * intervals, peak RSS, and the memory trend: RSS at the start, after the warm-up (the first
   * minute, or the first half of a shorter window), at the end, and the least-squares slope after
   * the warm-up (for information). `flat` compares the two halves of the time after the warm-up:
   * the median and the highest RSS of the second half are each within 10% of the first half's.
   * A garbage-collected process's RSS is a saw-tooth a hundred MB high: a slope or a single end
   * sample says more about where the last collection fell than about growth; a leak lifts the
   * whole second half.
   */
  summary(from, to) {
    const window = this.between(from, to);
    if (window.length < 2) return {};
    const groups = new Set(window.flatMap((sample) => Object.keys(sample.rssMb)));
    const warmupEnd = from + Math.min(60_000, (to - from) / 2);
    const result = {};
    for (const group of groups) {
      const points = window.filter((sample) => sample.rssMb[group] !== undefined);
      if (points.length < 2) continue;
      const first = points[0];
      const last = points[points.length - 1];
      const cpuSeconds = (last.cpuSeconds[group] ?? 0) - (first.cpuSeconds[group] ?? 0);
      let highest = 0;
      for (let i = 1; i < points.length; i++) {
        const seconds = (points[i].t - points[i - 1].t) / 1000;
        const used = (points[i].cpuSeconds[group] ?? 0) - (points[i - 1].cpuSeconds[group] ?? 0);
        if (seconds > 0.5) highest = Math.max(highest, (used / seconds) * 100);
      }
      const afterWarmup = points.filter((sample) => sample.t >= warmupEnd);
      const slope = leastSquaresSlope(
        afterWarmup.map((sample) => [(sample.t - from) / 60_000, sample.rssMb[group]]),
      );
      const rssAfterWarmupMb = afterWarmup[0]?.rssMb[group];
      const halves = [
        afterWarmup.slice(0, Math.floor(afterWarmup.length / 2)),
        afterWarmup.slice(Math.floor(afterWarmup.length / 2)),
      ].map((half) => half.map((sample) => sample.rssMb[group]).sort((a, b) => a - b));
      const [early, late] = halves.map((values) =>
        values.length === 0
          ? undefined
          : { median: values[Math.floor(values.length / 2)], max: values[values.length - 1] },
      );
      result[group] = {
        cpuSeconds: round(cpuSeconds, 1),
        cpuPercentMean: round((cpuSeconds / ((last.t - first.t) / 1000)) * 100, 0),
        cpuPercentMax: round(highest, 0),
        peakRssMb: Math.max(...points.map((sample) => sample.rssMb[group])),
        rssStartMb: first.rssMb[group],
        rssAfterWarmupMb,
        rssEndMb: last.rssMb[group],
        rssSlopeMbPerMin: slope === null ? null : round(slope, 2),
        rssMedianMb: early && late ? [early.median, late.median] : null,
        rssMaxMb: early && late ? [early.max, late.max] : null,
        flat:
          !early || !late || afterWarmup.length < 6
            ? null
            : late.median <= early.median * 1.1 && late.max <= early.max * 1.1,
      };
    }
    return result;
  }
}

function leastSquaresSlope(points) {
  if (points.length < 3) return null;
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const [x, y] of points) {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  }
  return denominator === 0 ? null : numerator / denominator;
}

function round(value, digits) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

module.exports = { ResourceSampler, leastSquaresSlope };
