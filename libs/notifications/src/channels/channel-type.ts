import type { ChannelType } from '@app/contracts';
import type { RenderedMessage } from '../templates/message-renderer';

/** A channel as its type sees it: settings, and the secrets it may use but never shows. */
export interface ChannelConfig {
  id: string;
  name: string;
  type: ChannelType;
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
}

/** Who a message goes to: email addresses, or nothing for a webhook (its URL is the target). */
export interface TargetInput {
  /** Recipients the rule names. */
  ruleRecipients: string[];
  /** Active recipients in the database (looked up only when needed). */
  activeRecipients(): Promise<string[]>;
}

export interface DeliveryTarget {
  recipients: string[];
  /** For the delivery log: addresses, or a webhook's method and address without its query. */
  description: string;
}

export interface SendRequest {
  deliveryId: string;
  message: RenderedMessage;
  recipients: string[];
}

export interface SendOutcome {
  /** SMTP server reply or `HTTP 204`. */
  response: string;
  httpStatus: number | null;
}

/** An attempt that did not deliver. `permanent`: retrying cannot help (5xx SMTP, 4xx HTTP, refused). */
export class SendFailure extends Error {
  constructor(
    message: string,
    readonly details: {
      permanent: boolean;
      /** The target was refused before any connection (webhook safety). */
      refused?: boolean;
      response?: string | null;
      httpStatus?: number | null;
      /** The receiver asked for this delay (Retry-After). */
      retryAfterMs?: number;
    },
  ) {
    super(message);
    this.name = 'SendFailure';
  }
}

/**
 * One kind of channel. A new kind is one file implementing this, registered in
 * `CHANNEL_HANDLERS` (channel-types.ts); no other place names the types.
 */
export interface ChannelHandler {
  readonly type: ChannelType;
  /** class-validator DTO of the settings input (secret fields included). */
  readonly settingsDto: new () => object;
  /** Settings keys whose values are secrets: stored apart, never returned. */
  readonly secretKeys: readonly string[];
  /** Checks beyond the DTO (reachability rules, fallbacks); returns problems, empty when fine. */
  validate(settings: Record<string, unknown>, secrets: Record<string, unknown>): Promise<string[]>;
  /** Settings as the API shows them (no secret values). */
  publicSettings(
    settings: Record<string, unknown>,
    secrets: Record<string, unknown>,
  ): Record<string, unknown>;
  target(channel: ChannelConfig, input: TargetInput): Promise<DeliveryTarget>;
  /** One attempt. Resolves when the peer accepted the message; throws SendFailure otherwise. */
  send(channel: ChannelConfig, request: SendRequest): Promise<SendOutcome>;
}
