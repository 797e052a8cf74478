import Handlebars from 'handlebars';

/**
 * How a template part escapes `{{value}}`:
 * - html: HTML-escaped (email HTML; log text is hostile), `{{{value}}}` is raw;
 * - json: escaped as the inside of a JSON string, so `"text": "{{message}}"` stays valid JSON
 *   whatever the message holds; `{{{json value}}}` inserts a JSON value;
 * - none: as is (email subject and plain text, non-JSON webhook bodies).
 */
export type EscapeMode = 'html' | 'json' | 'none';

/** A template part that cannot be compiled or rendered; `part` names it (`firing.subject`). */
export class TemplateError extends Error {
  constructor(
    readonly part: string,
    detail: string,
  ) {
    super(`${part}: ${detail}`);
    this.name = 'TemplateError';
  }
}

export interface RenderOptions {
  /** IANA time zone of the `date` helper unless a call names one. */
  timeZone: string;
}

const JSON_STRING = '__jsonString';

/** One Handlebars environment with Lookout's helpers (the global one stays untouched). */
const handlebars = Handlebars.create();

handlebars.registerHelper(JSON_STRING, (value: unknown) => {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object' && !(value instanceof handlebars.SafeString)
        ? JSON.stringify(value)
        : String(value);
  return JSON.stringify(text).slice(1, -1);
});

/**
 * `{{date value}}`, `{{date value "yyyy-MM-dd HH:mm"}}`, `{{date value "HH:mm" "Europe/Berlin"}}`
 * (or `format=` / `tz=`). Tokens: yyyy yy MMM MM M dd d EEE HH H mm ss SSS Z (offset) zzz (zone
 * name); text in single quotes is kept. Empty for null.
 */
handlebars.registerHelper('date', function (this: unknown, value: unknown, ...rest: unknown[]) {
  const options = rest.pop() as Handlebars.HelperOptions;
  const [format, zone] = rest as (string | undefined)[];
  return formatDate(
    value,
    String(options.hash.format ?? format ?? DEFAULT_DATE_FORMAT),
    String(options.hash.tz ?? zone ?? options.data?.timeZone ?? 'UTC'),
  );
});

/** `{{truncate message 200}}`: at most N characters, the cut marked with "…" (or a given suffix). */
handlebars.registerHelper('truncate', (value: unknown, ...rest: unknown[]) => {
  rest.pop();
  const [length, suffix] = rest as [unknown, unknown];
  const max = Number(length);
  if (!Number.isInteger(max) || max < 1) throw new Error('truncate needs a length ≥ 1');
  const text = value === null || value === undefined ? '' : String(value);
  const characters = Array.from(text);
  if (characters.length <= max) return text;
  const marker = typeof suffix === 'string' ? suffix : '…';
  return characters.slice(0, Math.max(0, max - Array.from(marker).length)).join('') + marker;
});

/** `{{{json value}}}` (or `{{{json value 2}}}` indented): the value as JSON. */
handlebars.registerHelper('json', (value: unknown, ...rest: unknown[]) => {
  rest.pop();
  const indent = rest[0] === undefined ? undefined : Number(rest[0]);
  return JSON.stringify(value === undefined ? null : value, null, indent);
});

/** `{{pluralize count "line"}}` → "1 line" / "3 lines"; `{{pluralize n "entry" "entries"}}`. */
handlebars.registerHelper('pluralize', (count: unknown, ...rest: unknown[]) => {
  rest.pop();
  const [singular, plural] = rest as [unknown, unknown];
  const n = Number(count);
  const word = n === 1 ? String(singular) : String(plural ?? `${String(singular)}s`);
  return `${Number.isFinite(n) ? n : String(count)} ${word}`;
});

/** `{{slackEscape message}}`: &, < and > escaped, so log text cannot write Slack links or mentions. */
handlebars.registerHelper('slackEscape', (value: unknown) =>
  String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;'),
);

/** `{{htmlEscape message}}`: &, <, > and " escaped inside a JSON body (Teams cards render HTML). */
handlebars.registerHelper('htmlEscape', (value: unknown) =>
  String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;'),
);

handlebars.registerHelper('upper', (value: unknown) => String(value ?? '').toUpperCase());
handlebars.registerHelper('lower', (value: unknown) => String(value ?? '').toLowerCase());

export const TEMPLATE_HELPERS = [
  'date',
  'truncate',
  'json',
  'pluralize',
  'slackEscape',
  'htmlEscape',
  'upper',
  'lower',
] as const;

export const DEFAULT_DATE_FORMAT = 'yyyy-MM-dd HH:mm:ss zzz';

type Renderer = (context: object, options: RenderOptions) => string;
const cache = new Map<string, Renderer>();
const CACHE_LIMIT = 500;

/**
 * Compiles (cached) and renders one part. Strict: a variable the context does not have is an
 * error, never an empty string. `context` is the sample the static check runs against.
 */
export function renderPart(
  part: string,
  source: string,
  mode: EscapeMode,
  context: object,
  options: RenderOptions,
): string {
  const renderer = compile(part, source, mode, context);
  try {
    return renderer(context, options);
  } catch (error) {
    throw new TemplateError(part, describeHandlebarsError(error));
  }
}

/** Compiles one part and checks the variables of block and helper arguments against `context`. */
export function compile(part: string, source: string, mode: EscapeMode, context: object): Renderer {
  // The static check depends on the context's shape: alert and summary parts are cached apart.
  const scope = part.startsWith('summary.') ? 'summary' : 'alert';
  const key = `${scope}\u0000${mode}\u0000${source}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let ast: hbs.AST.Program;
  try {
    ast = handlebars.parse(source);
  } catch (error) {
    throw new TemplateError(part, describeHandlebarsError(error));
  }
  checkArgumentPaths(part, ast, context);
  if (mode === 'json') wrapEscapedMustaches(ast);
  const template = handlebars.compile(ast, { strict: true, noEscape: mode === 'none' });
  const renderer: Renderer = (data, options) =>
    template(data, { data: { timeZone: options.timeZone } });
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, renderer);
  return renderer;
}

/** Handlebars' messages, told the way a template author needs them. */
function describeHandlebarsError(error: unknown): string {
  const e = error as { message?: string; lineNumber?: number; column?: number };
  const message = String(e.message ?? error);
  const undefinedVariable = /^"([^"]+)" not defined in (.*?)(?: - \d+:\d+)?$/s.exec(message);
  const where =
    typeof e.lineNumber === 'number'
      ? ` (line ${e.lineNumber}, column ${(e.column ?? 0) + 1})`
      : '';
  if (undefinedVariable) {
    const inNull = undefinedVariable[2] === 'null' || undefinedVariable[2] === 'undefined';
    return inNull
      ? `"${undefinedVariable[1]}" is read from an empty value (an alert may have no samples or no group)${where}`
      : `unknown variable or helper "${undefinedVariable[1]}"${where}`;
  }
  const emptyRead = /^Cannot read properties of (?:undefined|null) \(reading '([^']+)'\)/.exec(
    message,
  );
  if (emptyRead)
    return `"${emptyRead[1]}" is read from an empty value (an alert may have no samples or no group)${where}`;
  if (message.startsWith('Missing helper:'))
    return `${message.replace('Missing helper:', 'unknown helper')}${where}`;
  return message.replace(/\s+/g, ' ').trim();
}

type Node = hbs.AST.Node & Record<string, unknown>;

/**
 * In JSON mode every `{{expr}}` becomes `{{{__jsonString expr}}}`: the value (or the helper's
 * result) is escaped as JSON string content. Triple-stash `{{{…}}}` stays raw.
 */
function wrapEscapedMustaches(node: hbs.AST.Node | null | undefined): void {
  if (!node) return;
  const n = node as Node;
  if (n.type === 'Program') for (const child of (node as hbs.AST.Program).body) wrap(child);
  else wrap(node);

  function wrap(child: hbs.AST.Node): void {
    const c = child as Node;
    if (c.type === 'BlockStatement') {
      wrapEscapedMustaches((c as unknown as hbs.AST.BlockStatement).program);
      wrapEscapedMustaches((c as unknown as hbs.AST.BlockStatement).inverse);
      return;
    }
    if (c.type !== 'MustacheStatement') return;
    const mustache = c as unknown as hbs.AST.MustacheStatement;
    if (!mustache.escaped) return;
    const isCall =
      mustache.params.length > 0 ||
      (mustache.hash?.pairs.length ?? 0) > 0 ||
      isHelperName(mustache.path);
    const argument = isCall
      ? ({
          type: 'SubExpression',
          path: mustache.path,
          params: mustache.params,
          hash: mustache.hash,
          loc: mustache.loc,
        } as unknown as hbs.AST.Expression)
      : mustache.path;
    mustache.path = {
      type: 'PathExpression',
      data: false,
      depth: 0,
      parts: [JSON_STRING],
      original: JSON_STRING,
      loc: mustache.loc,
    } as hbs.AST.PathExpression;
    mustache.params = [argument];
    mustache.hash = undefined as unknown as hbs.AST.Hash;
    mustache.escaped = false;
  }
}

function isHelperName(path: hbs.AST.Expression): boolean {
  const p = path as hbs.AST.PathExpression;
  return (
    p.type === 'PathExpression' &&
    !p.data &&
    p.parts.length === 1 &&
    Object.prototype.hasOwnProperty.call(handlebars.helpers, p.parts[0])
  );
}

/**
 * Strict mode catches a misspelled `{{variable}}` when rendering, but not one passed to a block
 * or helper (`{{#if repat}}`, `{{truncate mesage 80}}`): those are checked here against the
 * context, following `#each` and `#with` into the sample's arrays and objects.
 */
function checkArgumentPaths(part: string, ast: hbs.AST.Program, context: object): void {
  type Scope = Record<string, unknown> | null; // null: not known statically, not checked
  const scopes: Scope[] = [context as Record<string, unknown>];

  const resolve = (path: hbs.AST.PathExpression): unknown => {
    const scope = scopes[scopes.length - 1 - path.depth];
    if (!scope) return undefined;
    let value: unknown = scope;
    for (const name of path.parts) value = (value as Record<string, unknown> | null)?.[name];
    return value;
  };

  const checkPath = (path: hbs.AST.Expression): void => {
    const p = path as hbs.AST.PathExpression;
    if (p.type !== 'PathExpression' || p.data || p.parts.length === 0) return;
    const scope = scopes[scopes.length - 1 - p.depth];
    if (!scope || typeof scope !== 'object') return;
    if (!(p.parts[0] in scope)) {
      const where = p.loc ? ` (line ${p.loc.start.line}, column ${p.loc.start.column + 1})` : '';
      throw new TemplateError(part, `unknown variable "${p.original}"${where}`);
    }
  };

  const checkArguments = (node: {
    path: hbs.AST.Expression;
    params: hbs.AST.Expression[];
    hash?: hbs.AST.Hash;
  }): void => {
    if (node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0) {
      const name = (node.path as hbs.AST.PathExpression).original;
      if (!Object.prototype.hasOwnProperty.call(handlebars.helpers, name)) {
        const start = node.path.loc?.start;
        const where = start ? ` (line ${start.line}, column ${start.column + 1})` : '';
        throw new TemplateError(
          part,
          `unknown helper "${name}"${where}; the helpers are ${TEMPLATE_HELPERS.join(', ')}, if, unless, each, with`,
        );
      }
    }
    for (const param of node.params) checkExpression(param);
    for (const pair of node.hash?.pairs ?? []) checkExpression(pair.value);
  };

  const checkExpression = (expression: hbs.AST.Expression): void => {
    if (expression.type === 'SubExpression') {
      checkArguments(expression as hbs.AST.SubExpression);
    } else checkPath(expression);
  };

  const visit = (node: hbs.AST.Node | null | undefined): void => {
    if (!node) return;
    if (node.type === 'Program') {
      for (const child of (node as hbs.AST.Program).body) visit(child);
    } else if (node.type === 'MustacheStatement') {
      const mustache = node as hbs.AST.MustacheStatement;
      // A plain `{{variable}}` is left to strict mode at render time (it knows the real scope).
      if (mustache.params.length > 0 || (mustache.hash?.pairs.length ?? 0) > 0)
        checkArguments(mustache);
    } else if (node.type === 'BlockStatement') {
      const block = node as hbs.AST.BlockStatement;
      checkArguments(block);
      const helper = (block.path as hbs.AST.PathExpression).original;
      let inner: Scope = scopes[scopes.length - 1];
      if (helper === 'each' || helper === 'with') {
        const target = block.params[0];
        const value =
          target?.type === 'PathExpression' ? resolve(target as hbs.AST.PathExpression) : null;
        const element = helper === 'each' && Array.isArray(value) ? value[0] : value;
        inner =
          element && typeof element === 'object' ? (element as Record<string, unknown>) : null;
        if (block.program.blockParams?.length) inner = null; // `as |x|`: not followed
      } else if (helper !== 'if' && helper !== 'unless') {
        inner = null;
      }
      scopes.push(inner);
      visit(block.program);
      scopes.pop();
      visit(block.inverse);
    }
  };
  visit(ast);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        weekday: 'short',
        timeZoneName: 'short',
      });
    } catch {
      throw new Error(`unknown time zone "${timeZone}"`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Formats an ISO string, epoch milliseconds or Date in a time zone with the tokens above. */
export function formatDate(value: unknown, format: string, timeZone: string): string {
  if (value === null || value === undefined || value === '') return '';
  const date =
    value instanceof Date ? value : new Date(typeof value === 'number' ? value : String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  const parts: Record<string, string> = {};
  for (const { type, value: text } of zoneFormatter(timeZone).formatToParts(date))
    parts[type] = text;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour) % 24;
  const minute = Number(parts.minute);
  const second = Number(parts.second);
  const offsetMinutes = Math.round(
    (Date.UTC(year, month - 1, day, hour, minute, second) -
      Math.floor(date.getTime() / 1000) * 1000) /
      60_000,
  );
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const offset = `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  const tokens: Record<string, () => string> = {
    yyyy: () => pad(year, 4),
    yy: () => pad(year % 100),
    MMM: () => MONTHS[month - 1],
    MM: () => pad(month),
    M: () => String(month),
    dd: () => pad(day),
    d: () => String(day),
    EEE: () => WEEKDAYS[WEEKDAYS.indexOf(parts.weekday)] ?? parts.weekday,
    HH: () => pad(hour),
    H: () => String(hour),
    mm: () => pad(minute),
    ss: () => pad(second),
    SSS: () => pad(date.getUTCMilliseconds(), 3),
    zzz: () => (timeZone === 'UTC' || timeZone === 'Etc/UTC' ? 'UTC' : parts.timeZoneName),
    Z: () => offset,
  };
  return format.replace(
    /'([^']*)'|yyyy|yy|MMM|MM|M|dd|d|EEE|HH|H|mm|ss|SSS|zzz|Z/g,
    (token, quoted) => (quoted !== undefined ? quoted : tokens[token]()),
  );
}

/** Throws when the zone is not an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  zoneFormatter(timeZone);
}
