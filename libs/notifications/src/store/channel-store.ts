import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  AlertNotification,
  AlertSeverity,
  ChannelRateLimit,
  ChannelType,
  DeliveryStatus,
  NotificationChannel,
} from '@app/contracts';
import { Repository } from 'typeorm';
import type { ChannelConfig } from '../channels/channel-type';
import { ChannelTypes } from '../channels/channel-types';
import { ChannelEntity, RecipientEntity } from './entities';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A channel with what sending needs: settings, secrets, template, rate limit. */
export interface StoredChannel extends ChannelConfig {
  enabled: boolean;
  templateId: string | null;
  rateLimit: ChannelRateLimit | null;
}

/** A channel an alert is routed to, and the delivery this transition already has there. */
export interface RoutedChannel {
  channel: StoredChannel;
  existing: { id: string; status: DeliveryStatus } | null;
}

/** Columns of a channel for sending, as read by the hot-path queries (no ORM hydration). */
export const CHANNEL_COLUMNS = `c.id AS c_id, c.name AS c_name, c.type AS c_type, c.enabled AS c_enabled,
  c.template_id AS c_template_id, c.settings AS c_settings, c.secrets AS c_secrets,
  c.rate_limit_max AS c_rate_limit_max, c.rate_limit_window_seconds AS c_rate_limit_window_seconds`;

export interface ChannelColumns {
  c_id: string;
  c_name: string;
  c_type: ChannelType;
  c_enabled: boolean;
  c_template_id: string | null;
  c_settings: Record<string, unknown>;
  c_secrets: Record<string, unknown>;
  c_rate_limit_max: number | null;
  c_rate_limit_window_seconds: number;
}

export function channelFromColumns(row: ChannelColumns): StoredChannel {
  return {
    id: row.c_id,
    name: row.c_name,
    type: row.c_type,
    enabled: row.c_enabled,
    templateId: row.c_template_id,
    rateLimit:
      row.c_rate_limit_max === null
        ? null
        : { maxMessages: row.c_rate_limit_max, windowSeconds: row.c_rate_limit_window_seconds },
    settings: row.c_settings,
    secrets: row.c_secrets,
  };
}

/** Reads channels for routing and sending (api and worker); the REST side changes them. */
@Injectable()
export class ChannelStore {
  constructor(
    @InjectRepository(ChannelEntity) private readonly channels: Repository<ChannelEntity>,
    private readonly types: ChannelTypes,
  ) {}

  async find(id: string): Promise<StoredChannel | null> {
    if (!UUID.test(id)) return null;
    const rows: ChannelColumns[] = await this.channels.query(
      `SELECT ${CHANNEL_COLUMNS} FROM notification_channels c WHERE c.id = $1`,
      [id],
    );
    return rows[0] ? channelFromColumns(rows[0]) : null;
  }

  async get(id: string): Promise<StoredChannel> {
    const channel = await this.find(id);
    if (!channel) throw new NotFoundException(`No channel with id ${id}`);
    return channel;
  }

  /**
   * The channels an alert goes to: the rule's channels when it names any (enabled ones), else
   * every enabled channel whose per-severity routing includes the alert's severity. With each,
   * the delivery the transition already has there (a repeated notify-alert job), in one query.
   */
  async routeFor(notification: AlertNotification): Promise<RoutedChannel[]> {
    const named = notification.channelIds ?? [];
    const valid = named.filter((id) => UUID.test(id));
    if (named.length > 0 && valid.length === 0) return [];
    const rows: (ChannelColumns & { d_id: string | null; d_status: DeliveryStatus | null })[] =
      await this.channels.query(
        `SELECT ${CHANNEL_COLUMNS}, d.id AS d_id, d.status AS d_status
         FROM notification_channels c
         LEFT JOIN deliveries d ON d.channel_id = c.id AND d.transition_id = $1
         WHERE c.enabled AND ${named.length > 0 ? 'c.id = ANY($2::uuid[])' : '$2 = ANY(c.severities)'}
         ORDER BY c.name`,
        [notification.transitionId, named.length > 0 ? valid : notification.severity],
      );
    return rows.map((row) => ({
      channel: channelFromColumns(row),
      existing: row.d_id === null ? null : { id: row.d_id, status: row.d_status! },
    }));
  }

  toResponse(entity: ChannelEntity): NotificationChannel {
    const handler = this.types.get(entity.type);
    return {
      id: entity.id,
      name: entity.name,
      type: entity.type as ChannelType,
      enabled: entity.enabled,
      severities: entity.severities as AlertSeverity[],
      templateId: entity.templateId,
      rateLimit: rateLimitOf(entity),
      settings: handler.publicSettings(entity.settings, entity.secrets),
      secrets: Object.fromEntries(
        handler.secretKeys.map((key) => [key, hasValue(entity.secrets[key])]),
      ),
      createdAt: entity.createdAt.toISOString(),
      updatedAt: entity.updatedAt.toISOString(),
    };
  }
}

function hasValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return typeof value !== 'object' || Object.keys(value).length > 0;
}

function rateLimitOf(entity: ChannelEntity): ChannelRateLimit | null {
  return entity.rateLimitMax === null
    ? null
    : { maxMessages: entity.rateLimitMax, windowSeconds: entity.rateLimitWindowSeconds };
}

export function toStoredChannel(entity: ChannelEntity): StoredChannel {
  return {
    id: entity.id,
    name: entity.name,
    type: entity.type as ChannelType,
    enabled: entity.enabled,
    templateId: entity.templateId,
    rateLimit: rateLimitOf(entity),
    settings: entity.settings,
    secrets: entity.secrets,
  };
}

/** Active recipients from the database, oldest first. */
@Injectable()
export class RecipientStore {
  constructor(
    @InjectRepository(RecipientEntity) private readonly recipients: Repository<RecipientEntity>,
  ) {}

  async activeAddresses(): Promise<string[]> {
    const rows = await this.recipients.find({
      where: { active: true },
      order: { createdAt: 'ASC' },
    });
    return rows.map((row) => row.address);
  }
}
