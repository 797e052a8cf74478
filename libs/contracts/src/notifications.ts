// REST shapes of channels, recipients, templates and deliveries (issue: notifications).
import type { AlertNotification, AlertSeverity } from './alerts';

/** How a channel delivers: one file per type on the server, registered in one list. */
export type ChannelType = 'email' | 'webhook';
export const CHANNEL_TYPES: readonly ChannelType[] = ['email', 'webhook'];

/** Settings of an email channel. Unset server settings fall back to SMTP_URL / SMTP_FROM. */
export interface EmailChannelSettings {
  /** SMTP server; unset: the server in SMTP_URL. */
  host?: string;
  port?: number;
  /** Implicit TLS from the first byte (usually port 465). */
  secure?: boolean;
  /** Refuse to send unless the server upgrades with STARTTLS (usually port 587). */
  requireTLS?: boolean;
  /** Verify the server's certificate (default true). */
  tlsRejectUnauthorized?: boolean;
  /** SMTP AUTH user; the password is a secret (write-only). */
  user?: string;
  /** Write-only: never returned. */
  password?: string;
  /** Sender; unset: SMTP_FROM. */
  from?: string;
  /** Recipients of this channel; unset: the rule's, else the active recipients, else the default. */
  to?: string[];
}

export type WebhookMethod = 'POST' | 'PUT' | 'PATCH';
export const WEBHOOK_METHODS: readonly WebhookMethod[] = ['POST', 'PUT', 'PATCH'];

/** Settings of a webhook channel. */
export interface WebhookChannelSettings {
  url: string;
  method?: WebhookMethod;
  /** Extra request headers. Write-only: their values are secrets (auth tokens), names are shown. */
  headers?: Record<string, string>;
  /** Write-only HMAC-SHA256 key: when set, every request is signed (X-Lookout-Signature). */
  secret?: string;
  /** Milliseconds before an attempt is abandoned (default 10,000). */
  timeoutMs?: number;
}

/** At most `maxMessages` per `windowSeconds`; beyond, messages are folded into one summary. */
export interface ChannelRateLimit {
  maxMessages: number;
  windowSeconds: number;
}

export interface NotificationChannel {
  id: string;
  name: string;
  type: ChannelType;
  enabled: boolean;
  /** Severities routed here when a rule names no channel. */
  severities: AlertSeverity[];
  /** Template used to render messages; null: the built-in default for the type. */
  templateId: string | null;
  /** null: unlimited. */
  rateLimit: ChannelRateLimit | null;
  /** The settings without secret values (a webhook shows `headerNames` instead of `headers`). */
  settings: Record<string, unknown>;
  /** Which secrets are stored (their values are never returned), e.g. `{ password: true }`. */
  secrets: Record<string, boolean>;
  createdAt: string;
  updatedAt: string;
}

export interface CreateChannelRequest {
  name: string;
  type: ChannelType;
  enabled?: boolean;
  severities?: AlertSeverity[];
  templateId?: string | null;
  rateLimit?: ChannelRateLimit | null;
  settings: EmailChannelSettings | WebhookChannelSettings;
}

/**
 * Every property optional. `settings` is merged into the stored settings; a secret left out is
 * kept, a secret sent as null is removed.
 */
export type UpdateChannelRequest = Partial<Omit<CreateChannelRequest, 'type'>>;

/** What "send a test" did. */
export interface ChannelTestResult {
  deliveryId: string;
  ok: boolean;
  status: DeliveryStatus;
  /** SMTP server reply or `HTTP <status>`. */
  response: string | null;
  error: string | null;
  durationMs: number;
}

export interface Recipient {
  id: string;
  address: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface AddRecipientsRequest {
  /** One or more addresses separated by commas, semicolons or new lines. */
  addresses: string;
}

export interface AddRecipientsResponse {
  added: Recipient[];
  /** Addresses that were already there (reactivated if they were inactive). */
  existing: Recipient[];
  invalid: { value: string; reason: string }[];
}

/** One rendered variant. Email: subject, text, optional html. Webhook: body. */
export interface TemplateParts {
  subject?: string;
  text?: string;
  html?: string;
  body?: string;
}

export interface NotificationTemplate {
  id: string;
  name: string;
  channelType: ChannelType;
  /** Built-in templates (default email, JSON, Slack, Teams) cannot be changed or deleted. */
  builtIn: boolean;
  /** Webhook bodies: the Content-Type sent. JSON bodies are escaped as JSON and checked. */
  contentType: string | null;
  /** IANA zone used by the `date` helper unless a call names another. */
  timeZone: string;
  firing: TemplateParts;
  resolved: TemplateParts;
  /** The flood-control summary; null: the built-in default summary. */
  summary: TemplateParts | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface CreateTemplateRequest {
  name: string;
  channelType: ChannelType;
  contentType?: string;
  timeZone?: string;
  firing: TemplateParts;
  resolved: TemplateParts;
  summary?: TemplateParts | null;
}

export type UpdateTemplateRequest = Partial<Omit<CreateTemplateRequest, 'channelType'>>;

/** Renders a stored template (`templateId`) or an unsaved one against a sample (or given) alert. */
export interface TemplatePreviewRequest extends Partial<CreateTemplateRequest> {
  templateId?: string;
  alert?: AlertNotification;
}

export interface TemplatePreviewResponse {
  firing: TemplateParts;
  resolved: TemplateParts;
  summary: TemplateParts;
}

/**
 * pending → sending → sent; a failed attempt → retrying → sending …; after the last attempt (or
 * a permanent refusal) → dead, with the reason. Over the channel's rate limit → suppressed (the
 * delivery is listed in the window's summary).
 */
export type DeliveryStatus = 'pending' | 'sending' | 'retrying' | 'sent' | 'dead' | 'suppressed';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'pending',
  'sending',
  'retrying',
  'sent',
  'dead',
  'suppressed',
];

/** alert: one alert transition; summary: what flood control held back; test: "send a test". */
export type DeliveryKind = 'alert' | 'summary' | 'test';
export const DELIVERY_KINDS: readonly DeliveryKind[] = ['alert', 'summary', 'test'];

export interface Delivery {
  /** Decimal string, increasing. */
  id: string;
  kind: DeliveryKind;
  status: DeliveryStatus;
  channelId: string | null;
  channelName: string;
  channelType: ChannelType;
  transitionId: string | null;
  alertId: string | null;
  ruleId: string | null;
  ruleName: string | null;
  severity: AlertSeverity | null;
  state: 'firing' | 'resolved' | null;
  /** Email addresses, or the webhook's method and address without its query. */
  target: string;
  recipients: string[];
  subject: string | null;
  /** Ids of the sample log lines the message shows. */
  sampleLogIds: string[];
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  /** Last SMTP reply or `HTTP <status>`. */
  lastResponse: string | null;
  /** The summary this delivery was folded into (status suppressed). */
  summaryId: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
}

export interface DeliveryAttempt {
  attempt: number;
  startedAt: string;
  durationMs: number;
  outcome: 'sent' | 'failed' | 'refused';
  error: string | null;
  response: string | null;
  httpStatus: number | null;
}

export interface DeliveryDetail extends Delivery {
  attemptLog: DeliveryAttempt[];
  /** The rendered message as sent. */
  text: string | null;
  html: string | null;
  body: string | null;
  /** For a summary: the suppressed deliveries it covers. */
  suppressedIds: string[];
}

export interface DeliveryPage {
  items: Delivery[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}
