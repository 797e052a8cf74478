import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Injectable,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { AuditService, CurrentPrincipal, RequireRole, type Principal } from '@app/auth';
import type { AddRecipientsRequest, AddRecipientsResponse, Recipient } from '@app/contracts';
import { IsBoolean, IsString, MaxLength } from 'class-validator';
import { isEmail } from 'class-validator';
import { Repository } from 'typeorm';
import { RecipientEntity } from '../store/entities';

export class AddRecipientsDto implements AddRecipientsRequest {
  @ApiProperty({
    description:
      'One or more addresses separated by commas, semicolons or new lines; "Name <address>" is accepted',
    example: 'oncall@example.com, Ann <ann@example.com>',
  })
  @IsString()
  @MaxLength(100_000)
  addresses!: string;
}

export class UpdateRecipientDto {
  @ApiProperty({ description: 'false deactivates (kept, but receives nothing); true reactivates' })
  @IsBoolean()
  active!: boolean;
}

export class RecipientDto implements Recipient {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'oncall@example.com' }) address!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

class InvalidAddressDto {
  @ApiProperty({ example: 'not-an-address' }) value!: string;
  @ApiProperty({ example: 'not an e-mail address' }) reason!: string;
}

export class AddRecipientsResponseDto implements AddRecipientsResponse {
  @ApiProperty({ type: [RecipientDto] }) added!: RecipientDto[];
  @ApiProperty({ type: [RecipientDto], description: 'Already there (reactivated if inactive)' })
  existing!: RecipientDto[];
  @ApiProperty({ type: [InvalidAddressDto] }) invalid!: InvalidAddressDto[];
}

const MAX_ADDRESS_LENGTH = 320;

/** Splits a pasted list into addresses, and what is not one with the reason. */
export function parseAddressList(text: string): {
  valid: string[];
  invalid: { value: string; reason: string }[];
} {
  const valid: string[] = [];
  const invalid: { value: string; reason: string }[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/[,;\n\r]+/)) {
    const value = raw.trim();
    if (!value) continue;
    const address = (/<([^<>]+)>\s*$/.exec(value)?.[1] ?? value).trim();
    if (address.length > MAX_ADDRESS_LENGTH)
      invalid.push({ value, reason: 'longer than 320 characters' });
    else if (!isEmail(address)) invalid.push({ value, reason: 'not an e-mail address' });
    else if (!seen.has(address.toLowerCase())) {
      seen.add(address.toLowerCase());
      valid.push(address);
    }
  }
  return { valid, invalid };
}

function toRecipient(entity: RecipientEntity): Recipient {
  return {
    id: entity.id,
    address: entity.address,
    active: entity.active,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}

/**
 * Alert mail recipients. Email channels send to the rule's recipients, else the channel's own,
 * else the active recipients here, else NOTIFY_DEFAULT_RECIPIENTS.
 */
@Injectable()
export class RecipientsService {
  constructor(
    @InjectRepository(RecipientEntity) private readonly recipients: Repository<RecipientEntity>,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<Recipient[]> {
    return (await this.recipients.find({ order: { address: 'ASC' } })).map(toRecipient);
  }

  async add(principal: Principal, text: string): Promise<AddRecipientsResponse> {
    const { valid, invalid } = parseAddressList(text);
    if (valid.length === 0) {
      throw new BadRequestException({
        message:
          invalid.length > 0
            ? `No valid address: ${invalid.map((i) => `"${i.value}" (${i.reason})`).join(', ')}`
            : 'addresses must hold at least one address',
        invalid,
      });
    }
    const response: AddRecipientsResponse = { added: [], existing: [], invalid };
    for (const address of valid) {
      const found = await this.recipients
        .createQueryBuilder('r')
        .where('lower(r.address) = lower(:address)', { address })
        .getOne();
      if (found) {
        if (!found.active) {
          found.active = true;
          await this.recipients.save(found);
        }
        response.existing.push(toRecipient(found));
        continue;
      }
      const created = await this.recipients
        .save(this.recipients.create({ address, active: true }))
        .catch(async (error: { code?: string }) => {
          if (error.code !== '23505') throw error;
          return null; // added by someone else at the same moment
        });
      if (created) response.added.push(toRecipient(created));
    }
    if (response.added.length > 0 || response.existing.length > 0) {
      await this.audit.record(principal, {
        action: 'recipient.add',
        entityType: 'recipient',
        after: {
          added: response.added.map((r) => r.address),
          existing: response.existing.map((r) => r.address),
        },
      });
    }
    return response;
  }

  async setActive(principal: Principal, id: string, active: boolean): Promise<Recipient> {
    const entity = await this.entity(id);
    const before = toRecipient(entity);
    entity.active = active;
    const after = toRecipient(await this.recipients.save(entity));
    await this.audit.record(principal, {
      action: active ? 'recipient.activate' : 'recipient.deactivate',
      entityType: 'recipient',
      entityId: id,
      before,
      after,
    });
    return after;
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const before = toRecipient(await this.entity(id));
    await this.recipients.delete({ id });
    await this.audit.record(principal, {
      action: 'recipient.delete',
      entityType: 'recipient',
      entityId: id,
      before,
    });
  }

  private async entity(id: string): Promise<RecipientEntity> {
    const entity = await this.recipients.findOneBy({ id });
    if (!entity) throw new NotFoundException(`No recipient with id ${id}`);
    return entity;
  }
}

@ApiTags('notifications')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@ApiForbiddenResponse({ description: 'Reading needs viewer, changing needs editor' })
@RequireRole('viewer')
@Controller('api/v1/recipients')
export class RecipientsController {
  constructor(private readonly recipients: RecipientsService) {}

  @Get()
  @ApiOperation({ summary: 'List e-mail recipients, active and inactive' })
  @ApiOkResponse({ type: [RecipientDto] })
  list(): Promise<Recipient[]> {
    return this.recipients.list();
  }

  @Post()
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Add one or more recipients',
    description:
      'Each address is checked; the valid ones are added (or reactivated) and the others reported in `invalid`. 400 when none is valid.',
  })
  @ApiCreatedResponse({ type: AddRecipientsResponseDto })
  @ApiBadRequestResponse({ description: 'No valid address (each bad one is listed in `invalid`)' })
  add(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AddRecipientsDto,
  ): Promise<AddRecipientsResponse> {
    return this.recipients.add(principal, body.addresses);
  }

  @Patch(':id')
  @RequireRole('editor')
  @ApiOperation({ summary: 'Deactivate or reactivate a recipient' })
  @ApiOkResponse({ type: RecipientDto })
  @ApiNotFoundResponse()
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateRecipientDto,
  ): Promise<Recipient> {
    return this.recipients.setActive(principal, id, body.active);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Delete a recipient' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.recipients.remove(principal, id);
  }
}
