import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentConfigError, loadAgentConfig, parseAgentArgs } from './agent-config';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lookout-agent-config-'));
});

afterEach(() => fs.rm(dir, { recursive: true, force: true }));

async function yamlFile(text: string): Promise<string> {
  const file = path.join(dir, 'agent.yml');
  await fs.writeFile(file, text);
  return file;
}

function problemsOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AgentConfigError);
    return (error as Error).message;
  }
  throw new Error('expected an AgentConfigError');
}

describe('loadAgentConfig', () => {
  it('reads a YAML file and fills in the defaults', async () => {
    const file = await yamlFile(`
url: http://lookout:8080/
apiKey: k1
source: web-01
files:
  - include: /var/log/nginx/*.log
    exclude: ['*.gz']
    multiline: { pattern: '^\\s' }
    excludeRegex: healthcheck
buffer: { maxBytes: 64MiB }
`);
    const config = loadAgentConfig(file, {});
    expect(config).toEqual({
      url: 'http://lookout:8080',
      apiKey: 'k1',
      source: 'web-01',
      files: [
        {
          include: ['/var/log/nginx/*.log'],
          exclude: ['*.gz'],
          startAt: 'end',
          multiline: { pattern: '^\\s', match: 'continuation', maxLines: 500, flushMs: 2000 },
          includeRegex: undefined,
          excludeRegex: /healthcheck/,
        },
      ],
      batch: { maxLines: 1000, flushMs: 1000 },
      gzip: true,
      stateDir: path.resolve('lookout-agent-state'),
      buffer: { maxBytes: 64 * 2 ** 20 },
      retry: { initialMs: 500, maxMs: 30_000 },
    });
  });

  it('lets LOOKOUT_* variables win over the file, or stand alone', async () => {
    const file = await yamlFile(
      'url: http://a:8080\napiKey: from-file\nfiles: [{ include: [x] }]\n',
    );
    const config = loadAgentConfig(file, {
      LOOKOUT_API_KEY: 'from-env',
      LOOKOUT_PATHS: '/var/log/a.log, /var/log/b/*.log',
      LOOKOUT_START_AT: 'beginning',
      LOOKOUT_STATE_DIR: dir,
    });
    expect(config).toMatchObject({
      url: 'http://a:8080',
      apiKey: 'from-env',
      files: [{ include: ['/var/log/a.log', '/var/log/b/*.log'], startAt: 'beginning' }],
      stateDir: dir,
    });
    const envOnly = loadAgentConfig(undefined, {
      LOOKOUT_URL: 'https://logs.example.com',
      LOOKOUT_API_KEY: 'k',
      LOOKOUT_PATHS: '/var/log/*.log',
    });
    expect(envOnly.url).toBe('https://logs.example.com');
  });

  it('names every bad setting, and the variable it came from', async () => {
    const file = await yamlFile(`
url: lookout:8080
source: 'has spaces'
files:
  - include: []
    startAt: middle
    multiline: { pattern: '(' }
    includeRegex: '['
batch: { maxLines: 0, flushMs: soon }
buffer: { maxBytes: lots }
retry: { initialMs: 1000, maxMs: 10 }
gzipp: true
`);
    const message = problemsOf(() => loadAgentConfig(file, { LOOKOUT_API_KEY: '' }));
    for (const problem of [
      'url must be an http(s) URL',
      'apiKey is required',
      'source may hold',
      'files[0].include needs at least one glob',
      'files[0].startAt must be "end" or "beginning", got "middle"',
      'files[0].multiline.pattern is not a valid regular expression',
      'files[0].includeRegex is not a valid regular expression',
      'batch.maxLines must be an integer of at least 1',
      'batch.flushMs must be an integer of at least 1',
      'buffer.maxBytes must be a number of bytes',
      'retry.maxMs must be at least retry.initialMs',
      'gzipp is not a known setting',
    ]) {
      expect(message).toContain(problem);
    }
    expect(problemsOf(() => loadAgentConfig(undefined, { LOOKOUT_URL: 'ftp://x' }))).toContain(
      'url (from LOOKOUT_URL) must be an http(s) URL',
    );
    expect(problemsOf(() => loadAgentConfig(path.join(dir, 'missing.yml'), {}))).toContain(
      'Cannot read',
    );
  });
});

describe('parseAgentArgs', () => {
  it('reads --config in both spellings and refuses the unknown', () => {
    expect(parseAgentArgs(['--config', 'a.yml'])).toEqual({ configPath: 'a.yml', help: false });
    expect(parseAgentArgs(['--config=b.yml'])).toEqual({ configPath: 'b.yml', help: false });
    expect(parseAgentArgs(['-h'])).toEqual({ help: true });
    expect(() => parseAgentArgs(['--config'])).toThrow('--config needs a file path');
    expect(() => parseAgentArgs(['--verbose'])).toThrow('Unknown argument "--verbose"');
  });
});
