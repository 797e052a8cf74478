// A stored rule made ready to run: its query compiled (matcher and highlighter), its settings
// validated with defaults, its tracks built. Used by the api to validate, by the worker to evaluate
// and by the backtest. Pure.
import type { AlertRuleType, AlertSeverity, LogRecord } from '@app/contracts';
import {
  compileQueryMatcher,
  highlightSpans,
  parseQuery,
  QuerySyntaxError,
  type QueryNode,
} from '@app/storage';
import { parseGroupBy, type GroupField } from './group-by';
import { RuleSettingsError, type TrackSpec } from './rule-type';
import { ruleType } from './rule-types';
import { textPrefilter, type TextPrefilter } from './text-prefilter';

/** A rule as stored (the fields evaluation needs). */
export interface RuleDefinition {
  id: string;
  revision: number;
  name: string;
  query: string;
  type: AlertRuleType;
  severity: AlertSeverity;
  groupBy: string[];
  forSeconds: number;
  repeatIntervalSeconds: number;
  sampleSize: number;
  channelIds: string[];
  recipients: string[];
  settings: Record<string, unknown>;
  /** When this revision started being evaluated (ms): windows and warm-ups count from here. */
  activeSince: number;
}

export interface CompiledRule extends RuleDefinition {
  /** Parsed query; null matches every line. */
  node: QueryNode | null;
  matches(record: LogRecord): boolean;
  /** A cheap test on the lower-cased message that must pass for `matches` to; null: none. */
  prefilter: TextPrefilter | null;
  /** [start, end) spans of `message` that matched the query. */
  spans(message: string): [number, number][];
  fields: GroupField[];
  /** Settings with every default filled in. */
  normalized: object;
  tracks: TrackSpec[];
  forMs: number;
  repeatMs: number;
  /** `${id}.${revision}`: the namespace of this revision's state. */
  stateKey: string;
}

/**
 * @throws QuerySyntaxError for a query that cannot be parsed (with position and expected)
 * @throws RuleSettingsError for a setting that is not allowed (the message names it)
 */
export function compileRule(definition: RuleDefinition): CompiledRule {
  const type = ruleType(definition.type);
  if (!type) throw new RuleSettingsError(`type "${String(definition.type)}" is unknown`);
  const node = parseRuleQuery(definition.query);
  let matcher: (record: LogRecord) => boolean = () => true;
  if (node !== null) {
    try {
      matcher = compileQueryMatcher(node);
    } catch (error) {
      if (error instanceof QuerySyntaxError) throw error;
      throw new RuleSettingsError(`query cannot be evaluated: ${(error as Error).message}`);
    }
  }
  const fields = parseGroupBy(definition.groupBy);
  const shape = { groupBy: fields, forSeconds: definition.forSeconds };
  const normalized = type.parseSettings(definition.settings ?? {}, shape);
  return {
    ...definition,
    node,
    matches: matcher,
    prefilter: textPrefilter(node),
    spans: (message) => (node === null ? [] : highlightSpans(node, message)),
    fields,
    normalized,
    tracks: type.tracks(normalized, shape),
    forMs: definition.forSeconds * 1000,
    repeatMs: definition.repeatIntervalSeconds * 1000,
    stateKey: `${definition.id}.${definition.revision}`,
  };
}

/** Blank → null (every line). @throws QuerySyntaxError */
export function parseRuleQuery(text: string): QueryNode | null {
  if (text.trim() === '') return null;
  return parseQuery(text);
}
