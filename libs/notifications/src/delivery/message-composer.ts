import { Inject, Injectable, Logger } from '@nestjs/common';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import type { AlertNotification } from '@app/contracts';
import type { DeliveryTarget, TargetInput } from '../channels/channel-type';
import { ChannelTypes } from '../channels/channel-types';
import type { StoredChannel } from '../store/channel-store';
import { RecipientStore } from '../store/channel-store';
import { TemplateStore } from '../store/template-store';
import {
  renderAlertMessage,
  renderSummaryMessage,
  type RenderedMessage,
} from '../templates/message-renderer';
import { alertContext, summaryContext, type SummaryItem } from '../templates/template-context';
import { TemplateError } from '../templates/template-engine';

/** Who gets a message for a channel and what it says, rendered with the channel's template. */
@Injectable()
export class MessageComposer {
  private readonly logger = new Logger(MessageComposer.name);

  constructor(
    private readonly types: ChannelTypes,
    private readonly templates: TemplateStore,
    private readonly recipients: RecipientStore,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  /** Recipients are looked up at most once per call site (`targetInput` shares the lookup). */
  targetInput(ruleRecipients: string[]): TargetInput {
    let active: Promise<string[]> | undefined;
    return {
      ruleRecipients,
      activeRecipients: () => (active ??= this.recipients.activeAddresses()),
    };
  }

  async alert(
    channel: StoredChannel,
    notification: AlertNotification,
    input: TargetInput,
  ): Promise<{ target: DeliveryTarget; message: RenderedMessage }> {
    const target = await this.types.get(channel.type).target(channel, input);
    const template = await this.templates.forChannel(channel.templateId, channel.type);
    let message: RenderedMessage;
    try {
      message = renderAlertMessage(template, notification, this.config.publicUrl);
    } catch (error) {
      // Templates are checked at save time; if one still fails (an alert shaped unlike the
      // sample), the alert goes out with the default template rather than not at all.
      if (!(error instanceof TemplateError)) throw error;
      this.logger.warn(
        `Template "${template.name}" failed for channel "${channel.name}" (${error.message}); using the default`,
      );
      message = renderAlertMessage(
        this.templates.defaultFor(channel.type),
        notification,
        this.config.publicUrl,
      );
    }
    return { target, message };
  }

  /** The summary of what a rate-limit window held back, to the union of their recipients. */
  async summary(
    channel: StoredChannel,
    windowStart: number,
    suppressed: {
      id: string;
      alert: AlertNotification | null;
      recipients: string[];
      createdAt: Date;
    }[],
  ): Promise<{ target: DeliveryTarget; message: RenderedMessage }> {
    const items: SummaryItem[] = suppressed
      .filter((s) => s.alert !== null)
      .map((s) => {
        const context = alertContext(s.alert!, this.config.publicUrl);
        return {
          deliveryId: s.id,
          ruleName: context.ruleName,
          severity: context.severity,
          state: context.state,
          reason: context.reason,
          groupText: context.groupText,
          startedAt: context.startedAt,
          createdAt: s.createdAt.toISOString(),
          alertUrl: context.alertUrl,
        };
      });
    const context = summaryContext(
      channel.name,
      windowStart,
      channel.rateLimit?.windowSeconds ?? 0,
      items,
      this.config.publicUrl,
    );
    const recipients = [...new Set(suppressed.flatMap((s) => s.recipients))];
    const target =
      recipients.length > 0
        ? { recipients, description: recipients.join(', ') }
        : await this.types.get(channel.type).target(channel, this.targetInput([]));
    const template = await this.templates.forChannel(channel.templateId, channel.type);
    let message: RenderedMessage;
    try {
      message = renderSummaryMessage(template, context);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      message = renderSummaryMessage(this.templates.defaultFor(channel.type), context);
    }
    return { target, message };
  }
}
