import { BadRequestException } from '@nestjs/common';
import type { AlertRuleInput } from '@app/contracts';
import { QuerySyntaxError } from '@app/storage';
import { compileRule, type CompiledRule, type RuleDefinition } from '../rules/compile-rule';
import { RuleSettingsError } from '../rules/rule-type';

/** A rule input with the rule-level defaults filled in. */
export type CompleteRuleInput = Required<Omit<AlertRuleInput, 'description'>> & {
  description: string | null;
};

export function withDefaults(input: AlertRuleInput): CompleteRuleInput {
  return {
    name: input.name,
    description: input.description ?? null,
    query: input.query,
    type: input.type,
    severity: input.severity,
    enabled: input.enabled ?? true,
    groupBy: input.groupBy ?? [],
    forSeconds: input.forSeconds ?? 0,
    repeatIntervalSeconds: input.repeatIntervalSeconds ?? 0,
    sampleSize: input.sampleSize ?? 10,
    channelIds: input.channelIds ?? [],
    recipients: input.recipients ?? [],
    settings: input.settings,
  };
}

/**
 * Compiles a rule to check it; what a client must fix becomes a 400: a query syntax error with its
 * position and what was expected (as the search API words it), or the setting at fault.
 */
export function compileOrThrow(
  input: CompleteRuleInput,
  identity: Pick<RuleDefinition, 'id' | 'revision' | 'activeSince'>,
): CompiledRule {
  try {
    return compileRule({ ...input, ...identity });
  } catch (error) {
    if (error instanceof QuerySyntaxError) {
      throw new BadRequestException({
        message: `Invalid query: ${error.message}`,
        position: error.position,
        expected: error.expected,
      });
    }
    if (error instanceof RuleSettingsError) throw new BadRequestException(error.message);
    throw error;
  }
}
