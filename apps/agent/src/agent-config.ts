import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { MultilineRule } from '@app/tailer';

export interface FileGroup {
  include: string[];
  exclude: string[];
  startAt: 'end' | 'beginning';
  multiline?: MultilineRule;
  /** Only events matching this are sent. */
  includeRegex?: RegExp;
  /** Events matching this are not sent. */
  excludeRegex?: RegExp;
}

export interface AgentConfig {
  /** Base URL of the Lookout server, without a trailing slash. */
  url: string;
  apiKey: string;
  source: string;
  files: FileGroup[];
  batch: { maxLines: number; flushMs: number };
  gzip: boolean;
  /** Absolute: offsets and the disk buffer live here. */
  stateDir: string;
  buffer: { maxBytes: number };
  retry: { initialMs: number; maxMs: number };
}

export class AgentConfigError extends Error {}

/** Environment variables and the setting each one replaces. */
const ENV_SETTINGS = {
  LOOKOUT_URL: 'url',
  LOOKOUT_API_KEY: 'apiKey',
  LOOKOUT_SOURCE: 'source',
  LOOKOUT_STATE_DIR: 'stateDir',
  LOOKOUT_PATHS: 'files[0].include',
  LOOKOUT_START_AT: 'files[0].startAt',
} as const;

/** What the ingest endpoint accepts as a source name. */
const SOURCE_PATTERN = /^[\w.\-:/@]{1,128}$/;
const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
};

type Raw = Record<string, unknown>;

/** Collects every problem, each naming the setting (or the variable it came from). */
class Checker {
  readonly problems: string[] = [];

  constructor(private readonly fromEnv: Map<string, string>) {}

  fail(at: string, message: string): void {
    const variable = this.fromEnv.get(at);
    this.problems.push(`${at}${variable ? ` (from ${variable})` : ''} ${message}`);
  }

  /** A mapping with only the known keys; `{}` when absent. */
  section(value: unknown, at: string, keys: string[]): Raw {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(at, 'must be a mapping');
      return {};
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) this.fail(at ? `${at}.${key}` : key, 'is not a known setting');
    }
    return value as Raw;
  }

  string(value: unknown, at: string, fallback?: string): string {
    if (value === undefined || value === null || value === '') {
      if (fallback === undefined) this.fail(at, 'is required');
      return fallback ?? '';
    }
    if (typeof value !== 'string') {
      this.fail(at, 'must be a string');
      return '';
    }
    return value;
  }

  strings(value: unknown, at: string, required: boolean): string[] {
    if (value === undefined || value === null) {
      if (required) this.fail(at, 'is required (a list of path globs)');
      return [];
    }
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === '')) {
      this.fail(at, 'must be a list of non-empty strings');
      return [];
    }
    if (required && list.length === 0) this.fail(at, 'needs at least one glob');
    return list as string[];
  }

  integer(value: unknown, at: string, fallback: number, min: number): number {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      this.fail(at, `must be an integer of at least ${min}`);
      return fallback;
    }
    return value;
  }

  /** A number of bytes, or a string such as `256MiB` or `1 GB`. */
  bytes(value: unknown, at: string, fallback: number): number {
    if (typeof value === 'string') {
      const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
      const unit = match && BYTE_UNITS[match[2].toLowerCase()];
      if (match && unit) return Math.floor(Number(match[1]) * unit);
      this.fail(at, 'must be a number of bytes such as 268435456, "256MiB" or "1GB"');
      return fallback;
    }
    return this.integer(value, at, fallback, 1);
  }

  boolean(value: unknown, at: string, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') {
      this.fail(at, 'must be true or false');
      return fallback;
    }
    return value;
  }

  regex(value: unknown, at: string): RegExp | undefined {
    if (value === undefined || value === null) return undefined;
    try {
      return new RegExp(this.string(value, at));
    } catch (error) {
      this.fail(at, `is not a valid regular expression: ${(error as Error).message}`);
      return undefined;
    }
  }
}

function checkUrl(checker: Checker, value: unknown): string {
  const text = checker.string(value, 'url');
  if (!text) return '';
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    checker.fail('url', `must be an http(s) URL such as http://lookout:8080, got "${text}"`);
  }
  return text.replace(/\/+$/, '');
}

function checkMultiline(checker: Checker, value: unknown, at: string): MultilineRule | undefined {
  if (value === undefined || value === null) return undefined;
  const raw = checker.section(value, at, ['pattern', 'match', 'maxLines', 'flushMs']);
  const match = checker.string(raw.match, `${at}.match`, 'continuation');
  if (match !== 'continuation') checker.fail(`${at}.match`, 'must be "continuation"');
  const pattern = checker.regex(raw.pattern ?? null, `${at}.pattern`);
  if (!pattern && raw.pattern === undefined) checker.fail(`${at}.pattern`, 'is required');
  return {
    pattern: pattern?.source ?? '',
    match: 'continuation',
    maxLines: checker.integer(raw.maxLines, `${at}.maxLines`, 500, 1),
    flushMs: checker.integer(raw.flushMs, `${at}.flushMs`, 2000, 1),
  };
}

function checkFileGroup(checker: Checker, value: unknown, at: string): FileGroup {
  const raw = checker.section(value, at, [
    'include',
    'exclude',
    'startAt',
    'multiline',
    'includeRegex',
    'excludeRegex',
  ]);
  const startAt = checker.string(raw.startAt, `${at}.startAt`, 'end');
  if (startAt !== 'end' && startAt !== 'beginning') {
    checker.fail(`${at}.startAt`, `must be "end" or "beginning", got "${startAt}"`);
  }
  return {
    include: checker.strings(raw.include, `${at}.include`, true),
    exclude: checker.strings(raw.exclude, `${at}.exclude`, false),
    startAt: startAt === 'beginning' ? 'beginning' : 'end',
    multiline: checkMultiline(checker, raw.multiline, `${at}.multiline`),
    includeRegex: checker.regex(raw.includeRegex, `${at}.includeRegex`),
    excludeRegex: checker.regex(raw.excludeRegex, `${at}.excludeRegex`),
  };
}

/** Validates a configuration object (parsed YAML, environment applied). */
export function checkAgentConfig(raw: unknown, fromEnv = new Map<string, string>()): AgentConfig {
  const checker = new Checker(fromEnv);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AgentConfigError('Invalid agent configuration: expected a mapping of settings');
  }
  const root = checker.section(raw, '', [
    'url',
    'apiKey',
    'source',
    'files',
    'batch',
    'gzip',
    'stateDir',
    'buffer',
    'retry',
  ]);
  const source = checker.string(root.source, 'source', 'agent');
  if (!SOURCE_PATTERN.test(source)) {
    checker.fail('source', 'may hold letters, digits and . _ - : / @ (1 to 128 characters)');
  }
  let files: FileGroup[] = [];
  if (!Array.isArray(root.files) || root.files.length === 0) {
    checker.fail('files', 'needs at least one entry with include globs (or set LOOKOUT_PATHS)');
  } else {
    files = root.files.map((group, index) => checkFileGroup(checker, group, `files[${index}]`));
  }
  const batch = checker.section(root.batch, 'batch', ['maxLines', 'flushMs']);
  const buffer = checker.section(root.buffer, 'buffer', ['maxBytes']);
  const retry = checker.section(root.retry, 'retry', ['initialMs', 'maxMs']);
  const config: AgentConfig = {
    url: checkUrl(checker, root.url),
    apiKey: checker.string(root.apiKey, 'apiKey'),
    source,
    files,
    batch: {
      maxLines: checker.integer(batch.maxLines, 'batch.maxLines', 1000, 1),
      flushMs: checker.integer(batch.flushMs, 'batch.flushMs', 1000, 1),
    },
    gzip: checker.boolean(root.gzip, 'gzip', true),
    stateDir: path.resolve(checker.string(root.stateDir, 'stateDir', 'lookout-agent-state')),
    buffer: { maxBytes: checker.bytes(buffer.maxBytes, 'buffer.maxBytes', 256 * 2 ** 20) },
    retry: {
      initialMs: checker.integer(retry.initialMs, 'retry.initialMs', 500, 1),
      maxMs: checker.integer(retry.maxMs, 'retry.maxMs', 30_000, 1),
    },
  };
  if (config.retry.maxMs < config.retry.initialMs) {
    checker.fail('retry.maxMs', 'must be at least retry.initialMs');
  }
  if (checker.problems.length > 0) {
    throw new AgentConfigError(
      `Invalid agent configuration:\n${checker.problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return config;
}

/** Puts LOOKOUT_* variables over the file's settings; returns which setting came from where. */
function applyEnv(raw: Raw, env: NodeJS.ProcessEnv): Map<string, string> {
  const fromEnv = new Map<string, string>();
  const set = (variable: keyof typeof ENV_SETTINGS, apply: (value: string) => void) => {
    const value = env[variable];
    if (value === undefined || value === '') return;
    apply(value);
    fromEnv.set(ENV_SETTINGS[variable], variable);
  };
  set('LOOKOUT_URL', (value) => (raw.url = value));
  set('LOOKOUT_API_KEY', (value) => (raw.apiKey = value));
  set('LOOKOUT_SOURCE', (value) => (raw.source = value));
  set('LOOKOUT_STATE_DIR', (value) => (raw.stateDir = value));
  // LOOKOUT_PATHS replaces the file groups with one group of these globs.
  set('LOOKOUT_PATHS', (value) => {
    const include = value.split(',').map((glob) => glob.trim());
    raw.files = [{ include: include.filter(Boolean) }];
  });
  set('LOOKOUT_START_AT', (value) => {
    if (Array.isArray(raw.files) && raw.files.length === 1) {
      raw.files = [{ ...(raw.files[0] as Raw), startAt: value }];
    }
  });
  return fromEnv;
}

export interface AgentArgs {
  configPath?: string;
  help: boolean;
}

export function parseAgentArgs(argv: string[]): AgentArgs {
  const args: AgentArgs = { help: false };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--config' || arg === '-c') args.configPath = argv[++index];
    else if (arg.startsWith('--config=')) args.configPath = arg.slice('--config='.length);
    else throw new AgentConfigError(`Unknown argument "${arg}" (try --help)`);
    if (args.configPath === undefined && (arg === '--config' || arg === '-c')) {
      throw new AgentConfigError('--config needs a file path');
    }
  }
  return args;
}

/** The YAML file, if any, with the LOOKOUT_* variables over it, validated. */
export function loadAgentConfig(
  configPath: string | undefined,
  env: NodeJS.ProcessEnv,
): AgentConfig {
  let raw: unknown = {};
  if (configPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (error) {
      throw new AgentConfigError(`Cannot read ${configPath}: ${(error as Error).message}`);
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (error) {
      throw new AgentConfigError(`${configPath} is not valid YAML: ${(error as Error).message}`);
    }
  }
  const fromEnv =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw)
      ? applyEnv(raw as Raw, env)
      : undefined;
  return checkAgentConfig(raw, fromEnv);
}
