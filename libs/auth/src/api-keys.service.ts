import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import type { ApiKeyDetails, CreateApiKeyRequest, CreatedApiKeyDetails } from './auth-types';
import { AuditService } from './audit.service';
import type { ApiKeyScope, Principal } from './principal';
import { generateApiKey, hashApiKey } from './secrets';

/** `last_used_at` is written at most this often per key, to keep ingest off the table. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/** What a key may do when its creator does not say: what every key could do before scopes. */
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ['ingest', 'read'];

/** Keys for integrations: created by admins, shown once, stored as SHA-256, scoped, revocable. */
@Injectable()
export class ApiKeysService {
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly apiKeys: Repository<ApiKeyEntity>,
    private readonly audit: AuditService,
  ) {}

  async principalForApiKey(key: string): Promise<Principal | undefined> {
    const apiKey = await this.apiKeys.findOne({
      where: { keyHash: hashApiKey(key), revokedAt: IsNull() },
    });
    if (!apiKey) return undefined;
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(apiKey.id) ?? 0) > LAST_USED_WRITE_INTERVAL_MS) {
      this.lastUsedWritten.set(apiKey.id, now);
      void this.apiKeys.update(apiKey.id, { lastUsedAt: new Date(now) }).catch(() => undefined);
    }
    return {
      kind: 'api-key',
      id: apiKey.id,
      name: apiKey.name,
      scopes: apiKey.scopes,
      source: apiKey.source,
    };
  }

  async create(actor: Principal, request: CreateApiKeyRequest): Promise<CreatedApiKeyDetails> {
    const { key, prefix, hash } = generateApiKey();
    const saved = await this.apiKeys.save(
      this.apiKeys.create({
        name: request.name,
        prefix,
        keyHash: hash,
        scopes: [...new Set(request.scopes ?? DEFAULT_API_KEY_SCOPES)],
        source: request.source ?? null,
        createdBy: actor.kind === 'user' ? actor.id : null,
      }),
    );
    const details = toDetails(saved);
    await this.audit.record(actor, {
      action: 'create',
      entityType: 'api-key',
      entityId: saved.id,
      after: details,
    });
    return { ...details, key };
  }

  async list(): Promise<ApiKeyDetails[]> {
    const keys = await this.apiKeys.find({ order: { createdAt: 'DESC' } });
    return keys.map(toDetails);
  }

  async revoke(actor: Principal, id: string): Promise<ApiKeyDetails> {
    const apiKey = await this.apiKeys.findOne({ where: { id } });
    if (!apiKey) throw new NotFoundException(`No API key with id ${id}`);
    if (apiKey.revokedAt) return toDetails(apiKey);
    const before = toDetails(apiKey);
    apiKey.revokedAt = new Date();
    await this.apiKeys.save(apiKey);
    const after = toDetails(apiKey);
    await this.audit.record(actor, {
      action: 'revoke',
      entityType: 'api-key',
      entityId: id,
      before,
      after,
    });
    return after;
  }
}

function toDetails(apiKey: ApiKeyEntity): ApiKeyDetails {
  return {
    id: apiKey.id,
    name: apiKey.name,
    prefix: apiKey.prefix,
    scopes: apiKey.scopes,
    source: apiKey.source,
    createdAt: apiKey.createdAt.toISOString(),
    lastUsedAt: apiKey.lastUsedAt?.toISOString() ?? null,
    revokedAt: apiKey.revokedAt?.toISOString() ?? null,
  };
}
