import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseSyslog } from './syslog-parser';
import type { SyslogMessage, SyslogParseOptions } from './syslog-message';

// Real third-party logs, see /work/shared/corpus/SOURCES.md. The folder sits beside the repo.
const corpus = path.resolve(__dirname, '../../../../../shared/corpus');
const haveCorpus = existsSync(corpus);
if (!haveCorpus) {
  console.warn(`syslog corpus tests skipped: ${corpus} not found (see DESIGN.md §5)`);
}
const describeCorpus = haveCorpus ? describe : describe.skip;

/** Fields right and compared for one corpus file; a miss is described for the failure diff. */
interface Tally {
  file: string;
  right: number;
  compared: number;
  misses: string[];
}

const tallies: Tally[] = [];

function tally(file: string): Tally {
  const entry = { file, right: 0, compared: 0, misses: [] };
  tallies.push(entry);
  return entry;
}

function check(into: Tally, where: string, field: string, expected: unknown, actual: unknown) {
  into.compared++;
  const same =
    typeof expected === 'number' && typeof actual === 'number'
      ? Math.abs(expected - actual) < 1e-6
      : isDeepStrictEqual(plain(expected), plain(actual));
  if (same) into.right++;
  else into.misses.push(`${where} ${field}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Structured data uses null-prototype objects; compare by content. */
function plain(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
}

function show(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function assertTally(entry: Tally) {
  expect(entry.misses).toEqual([]);
  expect(entry.compared).toBeGreaterThan(0);
  expect(entry.right).toBe(entry.compared);
}

afterAll(() => {
  if (tallies.length === 0) return;
  const width = Math.max(...tallies.map((entry) => entry.file.length));
  console.log(
    [
      'syslog corpus accuracy (fields right / fields compared):',
      ...tallies.map(
        (entry) =>
          `  ${entry.file.padEnd(width)}  ${entry.right}/${entry.compared}` +
          `  ${((100 * entry.right) / Math.max(entry.compared, 1)).toFixed(1)}%`,
      ),
    ].join('\n'),
  );
});

/** The non-empty lines of a file (most simple-syslog files have no final newline). */
function lines(file: string): string[] {
  return readFileSync(path.join(corpus, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

describeCorpus('syslog corpus: simple-syslog (palindromicity)', () => {
  // The octet count in log_missing_structure.txt is handled by the parser's allowOctetCount.
  // `now` is the time of the Cisco ISE messages, for the year of their year-less header.
  const options: SyslogParseOptions = { now: Date.UTC(2014, 7, 7), allowOctetCount: true };

  type Expected = Partial<SyslogMessage> | 'not syslog';

  function compareFile(file: string, expected: Expected[]) {
    const entry = tally(file);
    const found = lines(file);
    expect(found).toHaveLength(expected.length);
    found.forEach((line, index) => {
      const parsed = parseSyslog(line, options);
      const want = expected[index];
      const where = `line ${index + 1}`;
      if (want === 'not syslog') {
        check(entry, where, 'result', undefined, parsed);
        return;
      }
      for (const [field, value] of Object.entries(want)) {
        check(entry, where, field, value, parsed?.[field as keyof SyslogMessage]);
      }
    });
    assertTally(entry);
  }

  const loggregator = {
    format: 'rfc5424' as const,
    facility: 1,
    severity: 6,
    ts: Date.UTC(2014, 5, 20, 9, 14, 7),
    timestampHadZone: true,
    hostname: 'loggregator',
    appName: 'd0602076-b14a-4c55-852a-981e7afeed38',
    procId: 'DEA',
  };
  const twoElements = {
    'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
    'exampleSDID@32480': { iut: '4', eventSource: 'Other Application', eventID: '2022' },
  };
  const full = {
    ...loggregator,
    msgId: 'MSG-01',
    structuredData: twoElements,
    message: 'Removing instance',
  };
  const nils = {
    ...loggregator,
    msgId: undefined,
    structuredData: {},
    message: 'Removing instance',
  };

  it.each<[string, Expected[]]>([
    ['5424/log.txt', [{ ...full, msgId: undefined }]],
    ['5424/log_all.txt', [full]],
    ['5424/log_all_with_errors.txt', ['not syslog', full, 'not syslog', 'not syslog']],
    ['5424/log_mix.txt', [nils, full, full]],
    ['5424/log_nils.txt', [nils]],
    [
      '5424/log_utf8_umlauts.txt',
      [{ ...full, msgId: undefined, message: 'Message with some Umlauts äöü' }],
    ],
    ['5424/log_with_bom.txt', [full]],
    [
      '5424/log_missing_structure.txt',
      [
        {
          format: 'rfc5424',
          facility: 23,
          severity: 6,
          ts: Date.UTC(2020, 7, 31, 13, 46, 15, 963) + 0.098,
          hostname: 'host',
          appName: 'app',
          procId: 'web.1',
          msgId: undefined,
          structuredData: {},
          message:
            'I, [2020-08-31T13:46:15.963030 #4]  INFO -- : [74cbefb1-a35c-4378-b635-9a81a1fe8c94] ' +
            'Processing by DashboardController#index as HTML',
        },
      ],
    ],
  ])('%s', (file, expected) => compareFile(`simple-syslog/${file}`, expected));

  // Cisco ISE: the message is everything after the header, compared exactly.
  const relayHeader = '<181>Aug  6 17:26:31 10.34.84.145 ';
  const isoHeader = (year: number) =>
    `<181>${year}-09-14T00:54:09+00:00 lzpqrst-admin.in.mycompany.com.lg `;
  const relayed = (line: string): Expected => ({
    format: 'rfc3164',
    facility: 22,
    severity: 5,
    ts: Date.UTC(2014, 7, 6, 17, 26, 31),
    timestampHadYear: false,
    hostname: '10.34.84.145',
    appName: undefined,
    message: line.startsWith(relayHeader) ? line.slice(relayHeader.length) : '(header differs)',
  });
  const iso = (line: string, year: number): Expected => ({
    format: 'rfc3164',
    facility: 22,
    severity: 5,
    ts: Date.UTC(year, 8, 14, 0, 54, 9),
    timestampHadYear: true,
    hostname: 'lzpqrst-admin.in.mycompany.com.lg',
    appName: undefined,
    message: line.startsWith(isoHeader(year))
      ? line.slice(isoHeader(year).length)
      : '(header differs)',
  });

  it.each<[string, (found: string[]) => Expected[]]>([
    ['3164/single_ise.txt', ([a]) => [iso(a, 2018)]],
    ['3164/single_ise_old_date.txt', ([a]) => [relayed(a)]],
    ['3164/two_ise_mix_date.txt', ([a, b]) => [relayed(a), iso(b, 2018)]],
    [
      '3164/many_with_errors.txt',
      ([a, , c, d]) => [relayed(a), 'not syslog', iso(c, 2018), iso(d, 2017)],
    ],
  ])('%s', (file, expected) => {
    const name = `simple-syslog/${file}`;
    compareFile(name, expected(lines(name)));
  });

  it('starts every relayed ISE message with the original timestamp and host', () => {
    const parsed = parseSyslog(lines('simple-syslog/3164/single_ise_old_date.txt')[0], options);
    expect(parsed?.message).toMatch(/^Aug {2}7 00:45:43 stage-pdp01 CISE_Profiler 0000024855 /);
  });
});

describeCorpus('syslog corpus: Filebeat system module (elastic/beats)', () => {
  // Filebeat ran with TZ=Etc/GMT+2; expected files without @timestamp are year-less.
  const options: SyslogParseOptions = {
    now: Date.UTC(2024, 7, 29),
    defaultUtcOffsetMinutes: -120,
  };

  /**
   * Events with their byte offsets. A line starting with a TAB continues the previous event, as
   * Filebeat's multiline rule for the darwin sample does; the parser itself is line-based.
   */
  function events(file: string): { offset: number; text: string }[] {
    const found: { offset: number; text: string }[] = [];
    let offset = 0;
    for (const line of readFileSync(path.join(corpus, file), 'utf8').split('\n')) {
      if (line.startsWith('\t') && found.length > 0) {
        found[found.length - 1].text += `\n${line}`;
      } else if (line !== '') {
        found.push({ offset, text: line });
      }
      offset += Buffer.byteLength(line) + 1;
    }
    return found;
  }

  // A skipped describe still runs its body: list files only when they exist (it.each needs one).
  const files = haveCorpus
    ? ['system/syslog', 'system/auth'].flatMap((folder) =>
        readdirSync(path.join(corpus, 'elastic-beats', folder))
          .filter((name) => name.endsWith('.log'))
          .map((name) => `elastic-beats/${folder}/${name}`),
      )
    : ['(corpus missing)'];

  it('covers the syslog and auth samples the brief names', () => {
    for (const name of [
      'system/syslog/darwin-syslog-sample.log',
      'system/syslog/suse-syslog.log',
      'system/syslog/tz-offset.log',
      'system/auth/test.log',
      'system/auth/timestamp.log',
    ]) {
      expect(files).toContain(`elastic-beats/${name}`);
    }
  });

  it.each(files)('%s', (file) => {
    const expected = JSON.parse(readFileSync(path.join(corpus, `${file}-expected.json`), 'utf8'));
    // The upstream harness compares the first 100 events only.
    const found = events(file).slice(0, expected.length);
    expect(found.map((event) => event.offset)).toEqual(
      expected.map((document: Record<string, unknown>) => document['log.offset']),
    );

    const entry = tally(file);
    found.forEach((event, index) => {
      const document: Record<string, unknown> = expected[index];
      const parsed = parseSyslog(event.text, options);
      const where = `offset ${event.offset}`;
      check(
        entry,
        where,
        'hostname',
        document['log.syslog.hostname'] ?? document['host.hostname'],
        parsed?.hostname,
      );
      check(entry, where, 'process.name', document['process.name'], parsed?.appName);
      const pid = document['process.pid'];
      check(
        entry,
        where,
        'process.pid',
        pid === undefined ? undefined : String(pid),
        parsed?.procId,
      );
      // The auth pipeline replaces `message` with fields it extracts; compare it where it stayed.
      if ('message' in document) check(entry, where, 'message', document.message, parsed?.message);
      if ('@timestamp' in document) {
        // Filebeat keeps milliseconds; the parser keeps microseconds as a fraction.
        const ts = parsed?.ts === undefined ? undefined : Math.floor(parsed.ts + 1e-6);
        check(entry, where, '@timestamp', Date.parse(String(document['@timestamp'])), ts);
      }
    });
    assertTally(entry);
  });
});
