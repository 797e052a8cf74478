import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WEBHOOK_METHODS, type WebhookChannelSettings, type WebhookMethod } from '@app/contracts';
import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import {
  SendFailure,
  type ChannelConfig,
  type ChannelHandler,
  type DeliveryTarget,
  type SendOutcome,
  type SendRequest,
} from './channel-type';
import { WebhookTargetPolicy, WebhookTargetRefused } from './webhook-target-policy';

export class WebhookSettingsDto implements WebhookChannelSettings {
  @ApiProperty({ example: 'https://hooks.slack.com/services/T000/B000/XXXX' })
  @IsString()
  @IsUrl(
    {
      protocols: ['http', 'https'],
      require_protocol: true,
      require_tld: false,
      require_host: true,
    },
    { message: 'settings.url must be an http:// or https:// URL' },
  )
  @MaxLength(2000)
  url!: string;

  @ApiPropertyOptional({ enum: WEBHOOK_METHODS, default: 'POST' })
  @IsOptional()
  @IsIn(WEBHOOK_METHODS, {
    message: `settings.method must be one of ${WEBHOOK_METHODS.join(', ')}`,
  })
  method?: WebhookMethod;

  @ApiPropertyOptional({
    description: 'Extra request headers. Write-only: values are never returned (names are)',
    example: { Authorization: 'Bearer s3cr3t' },
    writeOnly: true,
  })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    description: 'HMAC-SHA256 key; when set, requests carry X-Lookout-Signature. Write-only',
    writeOnly: true,
    minLength: 16,
  })
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'settings.secret must be at least 16 characters long' })
  @MaxLength(1000)
  secret?: string;

  @ApiPropertyOptional({
    description: 'Milliseconds before an attempt is abandoned',
    default: 10_000,
  })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(120_000)
  timeoutMs?: number;
}

/** Header names the channel sets itself, or that would break the request. */
const RESERVED_HEADERS =
  /^(host|content-length|content-type|transfer-encoding|connection|keep-alive|upgrade|te|trailer|x-lookout-.*)$/i;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const MAX_RESPONSE_BYTES = 2048;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Sends the signed HMAC of `<timestamp>.<body>`: a receiver checks the signature, then that the
 * timestamp is recent, so a captured request cannot be replayed later.
 */
export function webhookSignature(secret: string, timestamp: number, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * Webhooks over HTTP(S): the rendered body, custom headers, an HMAC signature, a timeout. The
 * target policy is checked when the channel is saved and on every connection: inside the socket's
 * own DNS lookup for a host name (the address checked is the address connected to), before
 * connecting for an IP literal. Redirects are not followed (a redirect could lead anywhere).
 */
@Injectable()
export class WebhookChannel implements ChannelHandler {
  readonly type = 'webhook' as const;
  readonly settingsDto = WebhookSettingsDto;
  readonly secretKeys = ['secret', 'headers'] as const;

  constructor(private readonly policy: WebhookTargetPolicy) {}

  async validate(
    settings: Record<string, unknown>,
    secrets: Record<string, unknown>,
  ): Promise<string[]> {
    const problems: string[] = [];
    const url = new URL(String(settings.url));
    if (url.username || url.password)
      problems.push('settings.url must not hold credentials: put them in settings.headers');
    for (const [name, value] of Object.entries(
      (secrets.headers as Record<string, unknown>) ?? {},
    )) {
      if (!HEADER_NAME.test(name))
        problems.push(`settings.headers: "${name}" is not a header name`);
      else if (RESERVED_HEADERS.test(name))
        problems.push(`settings.headers: ${name} is set by Lookout and cannot be given`);
      if (typeof value !== 'string' || /[\r\n\0]/.test(value))
        problems.push(`settings.headers.${name} must be a single-line string`);
    }
    if (problems.length === 0) {
      try {
        await this.policy.check(url);
      } catch (error) {
        if (!(error instanceof WebhookTargetRefused)) throw error;
        problems.push(`settings.url is refused: ${error.message}`);
      }
    }
    return problems;
  }

  publicSettings(
    settings: Record<string, unknown>,
    secrets: Record<string, unknown>,
  ): Record<string, unknown> {
    return {
      ...settings,
      headerNames: Object.keys((secrets.headers as Record<string, string>) ?? {}),
    };
  }

  async target(channel: ChannelConfig): Promise<DeliveryTarget> {
    const s = channel.settings as unknown as WebhookChannelSettings;
    const url = new URL(s.url);
    // The path and query of incoming-webhook URLs are often the credential: the log shows the origin.
    return { recipients: [], description: `${s.method ?? 'POST'} ${url.origin}` };
  }

  async send(channel: ChannelConfig, request: SendRequest): Promise<SendOutcome> {
    const s = channel.settings as unknown as WebhookChannelSettings;
    const url = new URL(s.url);
    // A host name is checked by the socket's lookup (below); an IP literal skips lookups.
    if (isIP(url.hostname.replace(/^\[|\]$/g, ''))) {
      try {
        await this.policy.check(url);
      } catch (error) {
        if (error instanceof WebhookTargetRefused)
          throw new SendFailure(`refused: ${error.message}`, { permanent: true, refused: true });
        throw error;
      }
    }
    const body = Buffer.from(request.message.body ?? '', 'utf8');
    const headers: Record<string, string> = {
      ...((channel.secrets.headers as Record<string, string>) ?? {}),
      'content-type': request.message.contentType ?? 'application/json',
      'content-length': String(body.length),
      'user-agent': 'Lookout-Notifications/1',
      'x-lookout-delivery': request.deliveryId,
    };
    const secret = channel.secrets.secret as string | undefined;
    if (secret) {
      const timestamp = Math.floor(Date.now() / 1000);
      headers['x-lookout-timestamp'] = String(timestamp);
      headers['x-lookout-signature'] = webhookSignature(secret, timestamp, body);
    }
    const { status, text, retryAfter } = await this.post(
      url,
      s.method ?? 'POST',
      headers,
      body,
      s.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    const response = `HTTP ${status}${text ? `: ${text.slice(0, 300)}` : ''}`;
    if (status >= 200 && status < 300) return { response, httpStatus: status };
    // 4xx means the request is wrong for this receiver: sending it again will not help, except
    // for "timeout" and "too many requests".
    const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
    throw new SendFailure(`the receiver answered HTTP ${status}`, {
      permanent,
      response,
      httpStatus: status,
      retryAfterMs: retryAfter,
    });
  }

  private post(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: Buffer,
    timeoutMs: number,
  ): Promise<{ status: number; text: string; retryAfter?: number }> {
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(url, { method, headers, lookup: this.policy.lookup, agent: false });
      // One deadline for the whole exchange: connecting, sending and reading the answer.
      const deadline = setTimeout(
        () =>
          request.destroy(
            new SendFailure(`no answer within ${timeoutMs} ms`, { permanent: false }),
          ),
        timeoutMs,
      );
      request.on('error', (error: Error) => {
        clearTimeout(deadline);
        if (error instanceof SendFailure) return reject(error);
        if (error instanceof WebhookTargetRefused)
          return reject(
            new SendFailure(`refused: ${error.message}`, { permanent: true, refused: true }),
          );
        const code = (error as NodeJS.ErrnoException).code;
        reject(
          new SendFailure(code ? `${code}: ${error.message}` : error.message, { permanent: false }),
        );
      });
      request.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BYTES) chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
          size += chunk.length;
        });
        response.on('end', () => {
          clearTimeout(deadline);
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim(),
            retryAfter: retryAfterMs(response.headers['retry-after']),
          });
        });
        response.on('error', (error) => request.destroy(error));
      });
      request.end(body);
    });
  }
}

function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
