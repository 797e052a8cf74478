import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import type { EmailChannelSettings } from '@app/contracts';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import {
  SendFailure,
  type ChannelConfig,
  type ChannelHandler,
  type DeliveryTarget,
  type SendOutcome,
  type SendRequest,
  type TargetInput,
} from './channel-type';

export class EmailSettingsDto implements EmailChannelSettings {
  @ApiPropertyOptional({
    description: 'SMTP server; unset: the server in SMTP_URL',
    example: 'smtp.example.com',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9.:[\]-]+$/, { message: 'settings.host must be a host name or address' })
  @MaxLength(255)
  host?: string;

  @ApiPropertyOptional({ description: 'Default 465 with secure, else 587', example: 587 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number;

  @ApiPropertyOptional({
    description: 'Implicit TLS from the first byte (port 465)',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  secure?: boolean;

  @ApiPropertyOptional({
    description: 'Refuse to send unless the server upgrades with STARTTLS (port 587)',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  requireTLS?: boolean;

  @ApiPropertyOptional({ description: "Verify the server's TLS certificate", default: true })
  @IsOptional()
  @IsBoolean()
  tlsRejectUnauthorized?: boolean;

  @ApiPropertyOptional({ description: 'SMTP AUTH user', example: 'lookout' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  user?: string;

  @ApiPropertyOptional({
    description: 'SMTP AUTH password. Write-only: never returned',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  password?: string;

  @ApiPropertyOptional({
    description: 'Sender; unset: SMTP_FROM',
    example: 'Lookout <alerts@example.com>',
  })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  from?: string;

  @ApiPropertyOptional({
    description:
      "This channel's recipients; unset: the rule's recipients, else the active recipients, else NOTIFY_DEFAULT_RECIPIENTS",
    type: [String],
    example: ['oncall@example.com'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsEmail({}, { each: true, message: 'settings.to must hold e-mail addresses' })
  to?: string[];
}

const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
/** A few connections per channel, each reused for many messages: a flood does not open 100 sockets. */
const POOL = { pool: true, maxConnections: 3, maxMessages: 100 } as const;

/**
 * Email over SMTP with nodemailer. Each channel has a connection pool, rebuilt when its server
 * settings change (the pool is keyed by them) and closed at shutdown.
 */
@Injectable()
export class EmailChannel implements ChannelHandler, OnModuleDestroy {
  readonly type = 'email' as const;
  readonly settingsDto = EmailSettingsDto;
  readonly secretKeys = ['password'] as const;
  private readonly pools = new Map<
    string,
    { key: string; transport: Transporter<SMTPTransport.SentMessageInfo> }
  >();

  constructor(@Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig) {}

  onModuleDestroy(): void {
    for (const { transport } of this.pools.values()) transport.close();
    this.pools.clear();
  }

  async validate(settings: Record<string, unknown>): Promise<string[]> {
    const problems: string[] = [];
    if (!settings.host && !this.config.smtpUrl)
      problems.push('settings.host is required: SMTP_URL is not set on this server');
    if (settings.secure && settings.requireTLS)
      problems.push(
        'settings.secure (TLS from the start) and settings.requireTLS (STARTTLS) exclude each other',
      );
    return problems;
  }

  publicSettings(settings: Record<string, unknown>): Record<string, unknown> {
    return { ...settings };
  }

  /** The rule's recipients, else the channel's, else the active ones, else the configured default. */
  async target(channel: ChannelConfig, input: TargetInput): Promise<DeliveryTarget> {
    const own = (channel.settings.to as string[] | undefined) ?? [];
    let recipients = input.ruleRecipients.length > 0 ? input.ruleRecipients : own;
    if (recipients.length === 0) recipients = await input.activeRecipients();
    if (recipients.length === 0) recipients = this.config.notifyDefaultRecipients;
    recipients = [...new Set(recipients)];
    return { recipients, description: recipients.join(', ') };
  }

  async send(channel: ChannelConfig, request: SendRequest): Promise<SendOutcome> {
    if (request.recipients.length === 0) {
      throw new SendFailure(
        'no recipients: the rule names none, no recipient is active and NOTIFY_DEFAULT_RECIPIENTS is empty',
        { permanent: true, refused: true },
      );
    }
    const s = channel.settings as EmailChannelSettings;
    const transport = this.transportFor(channel);
    try {
      const info = await transport.sendMail({
        from: s.from ?? this.config.smtpFrom,
        to: request.recipients,
        subject: request.message.subject ?? '',
        text: request.message.text ?? undefined,
        html: request.message.html ?? undefined,
        headers: { 'X-Lookout-Delivery': request.deliveryId },
      });
      const rejected = (info.rejected as unknown[]).map((address) =>
        typeof address === 'string' ? address : String((address as { address: string }).address),
      );
      return {
        response:
          rejected.length > 0
            ? `${info.response} (rejected: ${rejected.join(', ')})`
            : info.response,
        httpStatus: null,
      };
    } catch (error) {
      throw smtpFailure(error as SmtpError);
    }
  }

  /** The channel's pool, or a new one when its server settings changed since it was made. */
  private transportFor(channel: ChannelConfig): Transporter<SMTPTransport.SentMessageInfo> {
    const s = channel.settings as EmailChannelSettings;
    let options: SMTPTransport.Options;
    if (s.host) {
      options = {
        host: s.host,
        port: s.port ?? (s.secure ? 465 : 587),
        secure: s.secure ?? false,
        requireTLS: s.requireTLS ?? false,
        tls: { rejectUnauthorized: s.tlsRejectUnauthorized ?? true },
        auth: s.user
          ? { user: s.user, pass: (channel.secrets.password as string) ?? '' }
          : undefined,
        ...SMTP_TIMEOUTS,
      };
    } else if (this.config.smtpUrl) {
      options = { url: this.config.smtpUrl, ...SMTP_TIMEOUTS };
    } else {
      throw new SendFailure('no SMTP server: set the channel host or SMTP_URL', {
        permanent: true,
        refused: true,
      });
    }
    const key = JSON.stringify(options);
    const pooled = this.pools.get(channel.id);
    if (pooled?.key === key) return pooled.transport;
    pooled?.transport.close();
    const transport = nodemailer.createTransport({ ...options, ...POOL });
    this.pools.set(channel.id, { key, transport });
    return transport;
  }
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

/** 5xx replies and failed authentication are permanent; connection problems and 4xx are retried. */
function smtpFailure(error: SmtpError): SendFailure {
  const permanent =
    (error.responseCode !== undefined && error.responseCode >= 500) ||
    error.code === 'EAUTH' ||
    error.code === 'ETLS';
  return new SendFailure(error.message, {
    permanent,
    response: error.response ?? null,
  });
}
