import type { AlertNotification, AlertSampleLine } from '@app/contracts';

/**
 * What an alert template sees: every field of the AlertNotification (absent optional ones as null
 * or false, so strict mode can tell a misspelling from an empty value) plus ready-made texts.
 */
export interface AlertTemplateContext extends Omit<
  AlertNotification,
  'repeat' | 'samples' | 'group'
> {
  repeat: boolean;
  group: Record<string, string>;
  samples: (AlertSampleLine & { host: string | null })[];
  /** The notification as it arrived: `{{{json alert}}}` in a webhook body. */
  alert: AlertNotification;
  firing: boolean;
  resolved: boolean;
  /** FIRING / RESOLVED. */
  stateLabel: string;
  /** CRITICAL, HIGH… */
  severityLabel: string;
  /** `host=web-1, service=api`; empty for an ungrouped rule. */
  groupText: string;
  sampleCount: number;
  /** `> 10` when the rule has a threshold, else empty. */
  comparisonText: string;
  /** How long the alert lasted (resolved), e.g. `12m 5s`; empty while firing. */
  durationText: string;
  alertUrl: string;
  publicUrl: string;
}

/** One suppressed delivery as a summary lists it. */
export interface SummaryItem {
  deliveryId: string;
  ruleName: string;
  severity: string;
  state: string;
  reason: string;
  groupText: string;
  startedAt: string;
  createdAt: string;
  alertUrl: string;
}

/** What a flood-control summary template sees. */
export interface SummaryTemplateContext {
  channelName: string;
  count: number;
  windowStart: string;
  windowEnd: string;
  windowSeconds: number;
  items: SummaryItem[];
  deliveriesUrl: string;
  publicUrl: string;
}

export function alertContext(
  notification: AlertNotification,
  publicUrl: string,
): AlertTemplateContext {
  const base = publicUrl.replace(/\/+$/, '');
  const groupText = Object.entries(notification.group ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  return {
    ...notification,
    repeat: notification.repeat ?? false,
    group: notification.group ?? {},
    samples: (notification.samples ?? []).map((sample) => ({
      ...sample,
      host: sample.host ?? null,
    })),
    alert: notification,
    firing: notification.state === 'firing',
    resolved: notification.state === 'resolved',
    stateLabel: notification.state.toUpperCase(),
    severityLabel: notification.severity.toUpperCase(),
    groupText,
    sampleCount: notification.samples?.length ?? 0,
    comparisonText:
      notification.comparison && notification.threshold !== null
        ? `${notification.comparison} ${notification.threshold}`
        : '',
    durationText: notification.resolvedAt
      ? humanDuration(Date.parse(notification.resolvedAt) - Date.parse(notification.startedAt))
      : '',
    // The dashboard uses hash routes (frontend/src/routes.tsx).
    alertUrl: `${base}/#/alerts/history/${encodeURIComponent(notification.alertId)}`,
    publicUrl: base,
  };
}

export function summaryContext(
  channelName: string,
  windowStartMs: number,
  windowSeconds: number,
  items: SummaryItem[],
  publicUrl: string,
): SummaryTemplateContext {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    channelName,
    count: items.length,
    windowStart: new Date(windowStartMs).toISOString(),
    windowEnd: new Date(windowStartMs + windowSeconds * 1000).toISOString(),
    windowSeconds,
    items,
    deliveriesUrl: `${base}/#/notifications/deliveries`,
    publicUrl: base,
  };
}

/** `1h 2m`, `12m 5s`, `40s`. */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

/** A hostile log line: HTML, quotes, a backslash, a new line, a Slack mention. */
export const HOSTILE_SAMPLE_MESSAGE =
  'payment failed for <script>alert("x")</script> & user "ann" \\ retry\n<!channel> next line';

/**
 * The alert templates are checked and previewed against. Its texts are hostile on purpose: a
 * JSON body that does not escape them fails the check at save time, not at 3 a.m.
 */
export function sampleAlert(state: 'firing' | 'resolved' = 'firing'): AlertNotification {
  const startedAt = '2026-11-21T09:14:00.000Z';
  return {
    transitionId: `sample-${state}`,
    alertId: '00000000-0000-4000-8000-000000000001',
    ruleId: '00000000-0000-4000-8000-000000000002',
    ruleName: 'Checkout errors',
    ruleType: 'threshold',
    severity: 'high',
    state,
    repeat: false,
    query: 'level:error AND path:/checkout*',
    group: { host: 'web-1' },
    groupKey: 'host=web-1',
    value: 27,
    threshold: 10,
    comparison: '>',
    windowStart: '2026-11-21T09:13:00.000Z',
    windowEnd: '2026-11-21T09:14:00.000Z',
    reason: '27 lines matching level:error AND path:/checkout* in 1m > 10 (host=web-1)',
    startedAt,
    resolvedAt: state === 'resolved' ? '2026-11-21T09:26:05.000Z' : null,
    samples: [
      {
        id: '1001',
        ts: '2026-11-21T09:13:58.120Z',
        level: 'error',
        source: 'checkout',
        host: 'web-1',
        message: HOSTILE_SAMPLE_MESSAGE,
        highlights: [[0, 14]],
      },
      {
        id: '1002',
        ts: '2026-11-21T09:13:59.004Z',
        level: 'error',
        source: 'checkout',
        host: null,
        message: 'POST /checkout/confirm 502 upstream timeout after 30000 ms',
        highlights: [],
      },
    ],
    channelIds: [],
    recipients: [],
  };
}

/** An alert with every optional part empty: templates must render it too. */
export function sparseSampleAlert(): AlertNotification {
  return {
    ...sampleAlert('firing'),
    transitionId: 'sample-sparse',
    ruleType: 'absence',
    repeat: true,
    group: {},
    groupKey: '',
    threshold: null,
    comparison: null,
    samples: [],
    reason: 'no line matching source:billing for 15m',
  };
}

export function sampleSummaryItems(publicUrl: string): SummaryItem[] {
  return [sampleAlert('firing'), sparseSampleAlert()].map((alert, index) => {
    const context = alertContext(alert, publicUrl);
    return {
      deliveryId: String(100 + index),
      ruleName: alert.ruleName,
      severity: alert.severity,
      state: alert.state,
      reason: alert.reason,
      groupText: context.groupText,
      startedAt: alert.startedAt,
      createdAt: alert.windowEnd,
      alertUrl: context.alertUrl,
    };
  });
}
