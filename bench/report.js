// The targets of `npm run bench` and the Markdown summary written next to its JSON report.
const path = require('node:path');

const relative = (file) => path.relative(path.join(__dirname, '..'), file);

const TARGET_LINES_PER_SECOND = 40_000;
const TARGET_COPY_RATIO = 0.65;
const TARGET_OVER_RSYSLOG = 1.1;
const SOAK_SECONDS = 600;

/** Lines lost or duplicated by a source that must deliver every line (HTTP, syslog TCP, file). */
function integrity(report) {
  const checked = [
    ['sustained HTTP', report.sustained?.sources.http],
    ['sustained syslog TCP', report.sustained?.sources.syslogTcp],
    ['sustained file', report.sustained?.sources.file],
    ['steady HTTP', report.steady],
    ['HTTP alone', report.http],
    ['syslog TCP alone', report.sources?.syslogTcp],
    ['file alone', report.sources?.fileTail],
  ];
  const problems = checked
    .filter(
      ([, result]) => result && (result.lost > 0 || result.duplicated > 0 || result.malformed > 0),
    )
    .map(([name, result]) => ({
      text:
        `${name}: ${result.lost} lost, ${result.duplicated} duplicated` +
        (result.malformed > 0 ? `, ${result.malformed} stored without their seq (split?)` : ''),
      examples: result.examples ?? [],
    }));
  return { ok: problems.length === 0, problems };
}

const isLookoutProcess = (name) => name === 'api' || name.startsWith('worker');

function evaluateTargets(report) {
  const targets = [];
  const sustained = report.sustained;
  if (sustained) {
    targets.push({
      name: 'sustained lines/s, all sources at once',
      goal: `≥ ${format(TARGET_LINES_PER_SECOND)}`,
      value: format(sustained.linesPerSecond),
      met: sustained.linesPerSecond >= TARGET_LINES_PER_SECOND,
    });
    targets.push({
      name: 'sustained / bare COPY ceiling',
      goal: `≥ ${TARGET_COPY_RATIO}`,
      value: String(sustained.ratioToCopyCeiling),
      met: sustained.ratioToCopyCeiling >= TARGET_COPY_RATIO,
    });
    const lookout = Object.entries(sustained.processes).filter(([name]) => isLookoutProcess(name));
    if (lookout.length > 0) {
      const flat = lookout.every(([, process]) => process.flat === true);
      const soak = report.settings.seconds >= SOAK_SECONDS;
      targets.push({
        name: `memory flat (${soak ? '' : 'indicative: a soak is '}BENCH_SECONDS=${SOAK_SECONDS})`,
        goal: 'after the first minute, the 2nd half’s median and peak RSS ≤ 110% of the 1st half’s',
        value: lookout
          .map(
            ([name, process]) =>
              `${name} ${process.rssMedianMb ? `${process.rssMedianMb[0]} → ${process.rssMedianMb[1]} MB` : '?'}`,
          )
          .join(', '),
        // A phase shorter than the soak says whether memory grew, not that it stays flat.
        met: soak ? flat : null,
        indicative: flat,
      });
    }
  }
  const ratio = report.sources?.rsyslogPeer?.lookoutOverRsyslog;
  if (ratio !== undefined)
    targets.push({
      name: 'Lookout / rsyslog lines/s (syslog TCP, same stream)',
      goal: `≥ ${TARGET_OVER_RSYSLOG}`,
      value: String(ratio),
      met: ratio >= TARGET_OVER_RSYSLOG,
    });
  const checked = integrity(report);
  targets.push({
    name: 'no line lost or duplicated (HTTP, syslog TCP, file)',
    goal: '0',
    value: checked.ok ? '0' : checked.problems.map((problem) => problem.text).join('; '),
    met: checked.ok,
  });
  return targets;
}

// ---------- Markdown ----------

function format(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return typeof value === 'number' ? value.toLocaleString('en-US') : String(value);
}

function table(headers, rows) {
  const line = (cells) => `| ${cells.map((cell) => format(cell)).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

const verdict = (target) =>
  target.met === null
    ? `not assessed (${target.indicative ? 'flat' : 'growing'} so far)`
    : target.met
      ? '**met**'
      : '**not met**';

/** UDP loss, with the part the kernel dropped because the receiver's buffer was full. */
const udpLoss = (udp) =>
  `${format(udp.lost)} (${udp.lossPercent}%)` +
  (udp.kernelDrops === null || udp.kernelDrops === undefined
    ? ''
    : `; ${format(udp.kernelDrops)} dropped by the kernel (receive buffer full)`);

function latencyRows(label, latency) {
  if (!latency) return [];
  const row = (measure, summary) =>
    summary === null
      ? [measure, label, 'not measured (BENCH_LIVE_TAIL=0)', null, null, null, null, null]
      : [
          measure,
          label,
          summary.samples,
          summary.missed,
          summary.p50,
          summary.p95,
          summary.p99,
          summary.max,
        ];
  return [
    row('ingest → searchable (search API)', latency.searchableMs),
    row('ingest → live tail (socket.io)', latency.liveTailMs),
    row('ingest → alert firing (transition)', latency.alertMs),
  ];
}

/** Lookout's own processes first, then what they use, then the bench. */
function byProcessOrder(processes) {
  const rank = (name) =>
    isLookoutProcess(name)
      ? 0
      : ['postgres', 'postgres-server', 'redis', 'bench'].indexOf(name) + 1;
  return Object.entries(processes).sort(
    ([a], [b]) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }),
  );
}

const PROCESS_NOTES = {
  postgres: 'backends of the bench database, summed; RSS = private memory',
  'postgres-server': 'WAL writer, checkpointer, autovacuum… (shared with other databases)',
  redis: 'shared with anything else using this Redis',
  bench: 'the load generator and probes (this process)',
};

function renderMarkdown(report) {
  const out = [];
  const { machine, settings } = report;
  out.push(`# Lookout benchmark, ${report.at}`);
  out.push('');
  out.push(
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}; ` +
      `${settings.workers === undefined ? 'a running system' : `api + ${settings.workers} worker(s)`} ` +
      `(WORKER_CONCURRENCY ${settings.workerConcurrency}); PostgreSQL, Redis and the load generator on the same machine. ` +
      `Phases: ${settings.phases.join(', ')}.`,
  );

  out.push('', '## Targets', '');
  out.push(
    table(
      ['target', 'goal', 'result', 'verdict'],
      report.targets.map((target) => [target.name, target.goal, target.value, verdict(target)]),
    ),
  );

  if (!report.integrity.ok) {
    out.push('', '## Lines lost or duplicated', '');
    for (const problem of report.integrity.problems) {
      out.push(`- ${problem.text}`);
      for (const example of problem.examples.slice(0, 6))
        out.push(`  - seq ${example.seq ?? '(none)'}: \`${example.message.slice(0, 160)}\``);
    }
  }

  const sustained = report.sustained;
  if (sustained) {
    const held = sustained.storedPerSecondWhileSending;
    out.push('', `## Sustained: every source at once for ${sustained.seconds} s`, '');
    out.push(
      `The senders ran ${sustained.secondsSending} s; the last line was stored ` +
        `${Number((sustained.secondsStartToLastStored - sustained.secondsSending).toFixed(1))} s after they stopped. ` +
        `**${format(sustained.linesStored)} lines stored in ${sustained.secondsStartToLastStored} s: ` +
        `${format(sustained.linesPerSecond)} lines/s**, ${sustained.ratioToCopyCeiling} of the bare COPY ceiling. ` +
        `Stored per second while sending (first second excluded): min ${format(held.min)}, ` +
        `median ${format(held.median)}, max ${format(held.max)}.` +
        (sustained.allStored ? '' : ' **Not every line was stored: see the table.**'),
    );
    out.push('');
    const s = sustained.sources;
    out.push(
      table(
        ['source', 'how it was sent', 'sent', 'stored', 'lost', 'duplicated', 'lines/s'],
        [
          [
            'HTTP (NDJSON)',
            `${settings.concurrency} senders × ${format(settings.requestLines)} lines, as fast as accepted (${format(s.http.pushedBack)} × 429)`,
            s.http.sent,
            s.http.stored,
            s.http.lost,
            s.http.duplicated,
            s.http.linesPerSecond,
          ],
          [
            'syslog TCP',
            'one connection, as fast as the socket accepts',
            s.syslogTcp.sent,
            s.syslogTcp.stored,
            s.syslogTcp.lost,
            s.syslogTcp.duplicated,
            s.syslogTcp.linesPerSecond,
          ],
          [
            'syslog UDP',
            `paced at ${format(settings.udpRate)} lines/s`,
            s.syslogUdp.sent,
            s.syslogUdp.stored,
            udpLoss(s.syslogUdp),
            s.syslogUdp.duplicated,
            s.syslogUdp.linesPerSecond,
          ],
          [
            'file tail',
            `appended at ${format(settings.fileRate)} lines/s, tailed by a file source`,
            s.file.sent,
            s.file.stored,
            s.file.lost,
            s.file.duplicated,
            s.file.linesPerSecond,
          ],
          [
            '**total**',
            '',
            s.http.sent + s.syslogTcp.sent + s.syslogUdp.sent + s.file.sent,
            sustained.linesStored,
            s.http.lost + s.syslogTcp.lost + s.syslogUdp.lost + s.file.lost,
            s.http.duplicated + s.syslogTcp.duplicated + s.syslogUdp.duplicated + s.file.duplicated,
            sustained.linesPerSecond,
          ],
        ],
      ),
    );
  }

  const latencies = [
    ...latencyRows('sustained (saturated)', sustained?.latency),
    ...latencyRows(`steady ${format(settings.steadyRate)} lines/s`, report.steady?.latency),
    ...latencyRows('idle', report.idle?.latency),
  ];
  if (latencies.length > 0) {
    out.push('', '## Latency (ms, from the POST of a probe line)', '');
    out.push(
      'Under saturation the queue sits at its high-water mark, so a line waits behind the whole ' +
        'backlog: that is queueing time. The steady phase is what users see at a rate the system sustains.' +
        (sustained?.latency.pushedBack > 0
          ? ` Probes are HTTP lines too: ${sustained.latency.pushedBack} of their POSTs were answered 429 (queue over its high-water mark) and waited Retry-After like every sender.`
          : ''),
    );
    out.push('');
    out.push(
      table(['measure', 'phase', 'samples', 'missed', 'p50', 'p95', 'p99', 'max'], latencies),
    );
  }

  if (sustained && Object.keys(sustained.processes).length > 0) {
    out.push('', '## Processes during the sustained phase', '');
    out.push(
      `CPU % is of one core (200% = both cores). RSS trend: start → after the warm-up (first minute, or first half of a shorter phase) → end of sending, least-squares slope after the warm-up (for information); flat = in the second half of the time after the warm-up, the median and the highest RSS each ≤ 110% of the first half's (RSS of a garbage-collected process is a saw-tooth).`,
    );
    out.push('');
    out.push(
      table(
        [
          'process',
          'CPU s',
          'CPU % mean',
          'CPU % max',
          'peak RSS MB',
          'RSS start → warm → end MB',
          'slope MB/min',
          'median RSS 1st → 2nd half MB',
          'flat',
          'note',
        ],
        byProcessOrder(sustained.processes).map(([name, p]) => [
          name,
          p.cpuSeconds,
          p.cpuPercentMean,
          p.cpuPercentMax,
          p.peakRssMb,
          `${format(p.rssStartMb)} → ${format(p.rssAfterWarmupMb)} → ${format(p.rssEndMb)}`,
          p.rssSlopeMbPerMin,
          p.rssMedianMb ? `${format(p.rssMedianMb[0])} → ${format(p.rssMedianMb[1])}` : '–',
          p.flat === null ? '–' : p.flat ? 'yes' : 'no',
          PROCESS_NOTES[name] ?? '',
        ]),
      ),
    );
    const workers = Object.entries(sustained.workerBatches ?? {});
    if (workers.length > 0) {
      out.push('', 'Per batch, from each worker’s /metrics over the phase:', '');
      out.push(
        table(
          [
            'worker',
            'batches',
            'lines/batch mean',
            'COPY transaction p50 / p95 ms',
            'parse p50 / p95 ms',
          ],
          workers.map(([name, w]) => [
            name,
            w.batches,
            w.lines?.mean,
            w.writeMs ? `${format(w.writeMs.p50)} / ${format(w.writeMs.p95)}` : '–',
            w.parseMs ? `${format(w.parseMs.p50)} / ${format(w.parseMs.p95)}` : '–',
          ]),
        ),
      );
    }
  }

  const alone = [];
  if (report.http)
    alone.push([
      'HTTP NDJSON',
      `${format(report.http.lines)} lines, ${settings.concurrency} × ${format(settings.requestLines)} in flight`,
      report.http.linesPerSecond,
      report.http.lost,
      report.http.duplicated,
    ]);
  const src = report.sources;
  if (src) {
    alone.push([
      'syslog TCP',
      `${format(src.syslogTcp.sent)} lines, one connection`,
      src.syslogTcp.linesPerSecond,
      src.syslogTcp.lost,
      src.syslogTcp.duplicated,
    ]);
    if (src.rsyslogPeer.skipped)
      alone.push(['rsyslog + ompgsql', `skipped: ${src.rsyslogPeer.skipped}`, null, null, null]);
    else
      alone.push([
        'rsyslog + ompgsql (peer)',
        `the same ${format(src.rsyslogPeer.lines)} lines, one connection`,
        src.rsyslogPeer.linesPerSecond,
        src.rsyslogPeer.lost,
        src.rsyslogPeer.duplicated,
      ]);
    alone.push([
      'syslog UDP',
      `${format(src.syslogUdp.offeredLinesPerSecond)} lines/s offered for ${settings.sourcesUdpSeconds} s`,
      src.syslogUdp.linesPerSecond,
      udpLoss(src.syslogUdp),
      src.syslogUdp.duplicated,
    ]);
    alone.push([
      'file source',
      `reads a ${format(src.fileTail.sent)}-line file from its beginning`,
      src.fileTail.linesPerSecond,
      src.fileTail.lost,
      src.fileTail.duplicated,
    ]);
  }
  out.push('', '## Each source alone, the rsyslog peer and the COPY ceiling', '');
  if (alone.length > 0) {
    out.push(table(['source', 'load', 'lines/s', 'lost', 'duplicated'], alone));
    out.push('');
  }
  if (src && !src.rsyslogPeer.skipped)
    out.push(
      `Lookout over rsyslog on the same syslog TCP stream: **${src.rsyslogPeer.lookoutOverRsyslog}** ` +
        `(${src.rsyslogPeer.setup}).`,
    );
  const copy = report.copyCeiling;
  out.push(
    `Bare COPY ceiling (same table, ${format(copy.batch)}-row batches, one connection, system idle, same run): ` +
      `**${format(copy.rowsPerSecond)} rows/s**` +
      (sustained ? `; sustained / ceiling ${sustained.ratioToCopyCeiling}` : '') +
      (report.http ? `; HTTP alone / ceiling ${report.http.ratioToCopyCeiling}` : '') +
      '.',
  );

  const logs = Object.entries(report.systemLogs ?? {});
  if (logs.length > 0)
    out.push(
      '',
      `System logs (LOG_LEVEL=warn): ${logs
        .map(
          ([name, logged]) =>
            `${name} ${logged.warnings} warning(s), ${logged.errors} error(s) (\`${relative(logged.file)}\`)`,
        )
        .join('; ')}.`,
    );

  if (report.parsing?.formats) {
    out.push('', '## Parsing, one core', '');
    out.push(
      table(
        ['format', 'lines/s'],
        [
          ...report.parsing.formats.map((result) => [result.format, result.linesPerSecond]),
          ['auto-detect mix', report.parsing.autoDetect?.linesPerSecond ?? null],
        ],
      ),
    );
  }
  out.push('');
  return out.join('\n');
}

module.exports = { evaluateTargets, integrity, renderMarkdown };
