import type { AlertRuleType } from '@app/contracts';
import { absenceRule } from './absence.rule';
import { anomalyRule } from './anomaly.rule';
import { patternRule } from './pattern.rule';
import type { RuleTypeDefinition } from './rule-type';
import { thresholdRule } from './threshold.rule';

/** Every alert rule type. A new type is one file (with its test) and one line here. */
export const RULE_TYPES: readonly RuleTypeDefinition<object>[] = [
  thresholdRule,
  patternRule,
  anomalyRule,
  absenceRule,
] as RuleTypeDefinition<object>[];

export function ruleType(type: AlertRuleType): RuleTypeDefinition<object> | undefined {
  return RULE_TYPES.find((definition) => definition.type === type);
}
