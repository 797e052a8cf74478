import type { AlertRule, AlertSampleLine, AlertSeverity, AlertState } from '@app/contracts';
import { Link } from 'react-router-dom';
import { HighlightedText } from '../../components/HighlightedText';
import { LevelBadge } from '../../components/LevelBadge';
import { formatLocalTime } from '../../format';
import { writeSearchState } from '../../search/search-params';
import { formatAgo } from '../../time';

export function SeverityPill({ severity }: { severity: AlertSeverity }) {
  return <span className={`severity severity-${severity}`}>{severity}</span>;
}

export function StatePill({ state, acknowledged }: { state: AlertState; acknowledged?: boolean }) {
  const tone = state === 'firing' ? 'tone-bad' : state === 'pending' ? 'tone-warn' : 'tone-good';
  return (
    <span className={`pill ${tone}`} data-testid="alert-state">
      {state}
      {acknowledged && state !== 'resolved' ? ' · acked' : ''}
    </span>
  );
}

/** How a rule is doing, in one word: firing, flapping, silent (not evaluated lately), ok, off. */
export function ruleHealth(rule: AlertRule): { label: string; tone: string; detail: string } {
  const h = rule.health;
  const evaluated = h.lastEvaluatedAt
    ? `evaluated ${formatAgo(h.lastEvaluatedAt)}`
    : 'never evaluated';
  const matched = h.lastMatchedAt ? `last match ${formatAgo(h.lastMatchedAt)}` : 'no match yet';
  const detail = `${evaluated} · ${matched} · ${h.firesLast7Days} fires in 7 days`;
  if (!rule.enabled) return { label: 'disabled', tone: 'status-disabled', detail };
  if (h.flapping) return { label: 'flapping', tone: 'tone-warn', detail };
  if (h.openAlerts > 0) return { label: `${h.openAlerts} open`, tone: 'tone-bad', detail };
  const stale =
    h.lastEvaluatedAt === null || Date.now() - Date.parse(h.lastEvaluatedAt) > 5 * 60_000;
  if (stale) return { label: 'not evaluated', tone: 'tone-warn', detail };
  return { label: 'ok', tone: 'tone-good', detail };
}

/** The lines that made an alert fire, with the rule's matches highlighted (as text). */
export function EvidenceLines({ samples, query }: { samples: AlertSampleLine[]; query?: string }) {
  if (samples.length === 0) return <p className="dim">No sample lines were kept.</p>;
  return (
    <ol className="evidence" data-testid="evidence">
      {samples.map((line) => {
        const at = Date.parse(line.ts);
        const around = writeSearchState({
          q: query ?? '',
          range: {
            from: new Date(at - 5 * 60_000).toISOString(),
            to: new Date(at + 5 * 60_000).toISOString(),
          },
          levels: [],
          sources: [line.source],
        });
        return (
          <li key={line.id} className={`evidence-line sev-${line.level}`}>
            <span className="cell-time">{formatLocalTime(line.ts)}</span>
            <LevelBadge level={line.level} />
            <span className="dim">
              {line.source}
              {line.host ? ` · ${line.host}` : ''}
            </span>
            <span className="evidence-message mono">
              <HighlightedText text={line.message} spans={line.highlights} />
            </span>
            <Link
              className="evidence-link"
              to={`/search?${around}`}
              title="Search around this line"
            >
              context
            </Link>
          </li>
        );
      })}
    </ol>
  );
}
