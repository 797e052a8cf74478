import { isIP } from 'node:net';
import type RE2 from 're2';
import { expandGrok } from './grok-expander';
import { passesLuhn } from './luhn';
import { newRe2 } from './pattern-engine';
import type { RedactionDetector } from './pipeline.types';

/**
 * One search of a redaction. Named groups mark the secret inside a match (`user:` stays, the
 * password goes); without any, the whole match is the secret. `replace` returns the new text for
 * the secret, or undefined to leave it (a number that fails Luhn, `std::` that is no address).
 */
export interface RedactionRule {
  /**
   * A cheap test that the text may hold a secret (`@` for an e-mail), so RE2, which is slower
   * to call than V8, runs only on candidates. Linear by construction: a literal or a bounded run.
   */
  mayMatch?: (text: string) => boolean;
  regex: RE2;
  replace(secret: string, replacement: string, text: string, at: number): string | undefined;
}

const always = (_secret: string, replacement: string) => replacement;

// Thirteen digits with single separators: bounded, so V8 cannot backtrack far on it.
const CARD_HINT = /[2-6](?:[ -]?\d){12}/;
const IP_HINT = /\d\.\d|[0-9A-Fa-f]:|::/;

/** An RE2 search (grok references allowed) that reports every match with group indices. */
export function searchRegex(
  source: string,
  customPatterns?: Readonly<Record<string, string>>,
): RE2 {
  return newRe2(expandGrok(source, customPatterns), 'gd');
}

/**
 * The detectors. They run on RE2 like user patterns, because they scan arbitrary text: an e-mail
 * or card regex on V8 can go quadratic on a long run of look-alike characters.
 */
export const DETECTORS: Readonly<Record<RedactionDetector, () => RedactionRule[]>> = {
  // `scheme://user:secret@host`: the user stays, so the line still says whose credentials leaked.
  'url-password': () => [
    {
      mayMatch: (text) => text.includes('://'),
      regex: searchRegex(
        String.raw`\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@]+:(?<secret>[^\s@/?#]+)@`,
      ),
      replace: always,
    },
  ],
  // `Authorization: Basic …` / `authorization=…` keep the scheme; a bare `Bearer x` needs a
  // token of 8+ characters, so prose ("the bearer of …") survives.
  'bearer-token': () => [
    {
      mayMatch: (text) => /authorization/i.test(text),
      regex: searchRegex(
        String.raw`\b(?i:authorization)"?\s*[:=]\s*"?(?:(?i:basic|bearer|digest|token|negotiate|apikey)\s+)?(?<secret>[A-Za-z0-9\-._~+/]+=*)`,
      ),
      replace: always,
    },
    {
      mayMatch: (text) => /bearer/i.test(text),
      regex: searchRegex(String.raw`\b(?i:bearer)\s+(?<secret>[A-Za-z0-9\-._~+/]{8,}=*)`),
      replace: always,
    },
  ],
  email: () => [
    {
      mayMatch: (text) => text.includes('@'),
      regex: searchRegex(
        String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`,
      ),
      replace: always,
    },
  ],
  // Card numbers start with 2–6 (Mastercard 2-series up to UnionPay 62), so epoch-millisecond
  // timestamps (17…) are never candidates; the rest must pass Luhn.
  'credit-card': () => [
    {
      mayMatch: (text) => CARD_HINT.test(text),
      regex: searchRegex(String.raw`\b[2-6](?:[ -]?[0-9]){12,18}\b`),
      replace: redactCard,
    },
  ],
  ip: () => [
    {
      mayMatch: (text) => IP_HINT.test(text),
      regex: searchRegex('%{IPV6}|%{IPV4}'),
      replace: redactIp,
    },
  ],
};

export const DEFAULT_DETECTORS: readonly RedactionDetector[] = [
  'url-password',
  'bearer-token',
  'email',
  'credit-card',
];

export const DEFAULT_REPLACEMENT = '[REDACTED]';

/**
 * The longest run of whole digit groups from the start that is a card: `4111 1111 1111 1111 12`
 * (card then expiry) is 18 digits that fail Luhn, but its first 16 pass. With the default
 * replacement the last four digits stay, as PCI DSS allows, so support can still match a receipt.
 */
function redactCard(candidate: string, replacement: string): string | undefined {
  const groups = candidate.split(/[ -]/);
  for (let n = groups.length; n > 0; n--) {
    const digits = groups.slice(0, n).join('');
    if (digits.length < 13) return undefined;
    if (digits.length <= 19 && passesLuhn(digits)) {
      const label =
        replacement === DEFAULT_REPLACEMENT ? `[REDACTED-CARD-${digits.slice(-4)}]` : replacement;
      return label + candidate.slice(groups.slice(0, n).join(' ').length);
    }
  }
  return undefined;
}

/** An address only when it stands alone: not `std::string`, not part of a version `1.2.3.4.5`. */
function redactIp(
  candidate: string,
  replacement: string,
  text: string,
  at: number,
): string | undefined {
  const before = text[at - 1] ?? ' ';
  const after = text[at + candidate.length] ?? ' ';
  const v6 = candidate.includes(':');
  if (/[\w:.]/.test(before) || /\w/.test(after) || (v6 && after === ':')) return undefined;
  if (after === '.' && /\d/.test(text[at + candidate.length + 1] ?? '')) return undefined;
  if (isIP(candidate) === 0 || (v6 && !/[0-9A-Fa-f]/.test(candidate))) return undefined;
  return replacement;
}
