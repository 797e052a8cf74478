import type { Provider } from '@nestjs/common';
import { BadRequestException } from '@nestjs/common';
import { CHANNEL_TYPES, type ChannelType } from '@app/contracts';
import type { ChannelHandler } from './channel-type';
import { EmailChannel } from './email.channel';
import { WebhookChannel } from './webhook.channel';

/** Every channel type. A new one is a file implementing ChannelHandler, added here (and to CHANNEL_TYPES). */
export const CHANNEL_HANDLERS = [EmailChannel, WebhookChannel] as const;

/** The handler of each channel type. */
export class ChannelTypes {
  private readonly byType = new Map<ChannelType, ChannelHandler>();

  constructor(handlers: ChannelHandler[]) {
    for (const handler of handlers) this.byType.set(handler.type, handler);
    for (const type of CHANNEL_TYPES)
      if (!this.byType.has(type))
        throw new Error(`No handler registered for channel type "${type}"`);
  }

  get(type: string): ChannelHandler {
    const handler = this.byType.get(type as ChannelType);
    if (!handler)
      throw new BadRequestException(`type must be one of ${[...this.byType.keys()].join(', ')}`);
    return handler;
  }
}

export const channelTypeProviders: Provider[] = [
  ...CHANNEL_HANDLERS,
  {
    provide: ChannelTypes,
    inject: [...CHANNEL_HANDLERS],
    useFactory: (...handlers: ChannelHandler[]) => new ChannelTypes(handlers),
  },
];
