import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { UserRole } from '@app/contracts';
import { QueryFailedError, Repository } from 'typeorm';
import type { CreateUserRequest, UpdateUserRequest, UserSummary } from './auth-types';
import { AuditService } from './audit.service';
import { LoginLockout } from './login-lockout';
import type { Principal } from './principal';
import { hashPassword, verifyPassword } from './secrets';
import { SessionsService } from './sessions.service';
import { UserEntity } from './user.entity';

/** Users and their passwords. Every change is audited; a password change ends other sessions. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly sessions: SessionsService,
    private readonly lockout: LoginLockout,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<UserSummary[]> {
    return (await this.users.find({ order: { username: 'ASC' } })).map(toSummary);
  }

  async get(id: string): Promise<UserSummary> {
    return toSummary(await this.find(id));
  }

  async create(actor: Principal, request: CreateUserRequest): Promise<UserSummary> {
    const user = this.users.create({
      username: request.username,
      role: request.role,
      passwordHash: await hashPassword(request.password),
      passwordChangedAt: new Date(),
    });
    const saved = await this.saveUnique(user);
    const after = toSummary(saved);
    await this.audit.record(actor, {
      action: 'create',
      entityType: 'user',
      entityId: saved.id,
      after,
    });
    return after;
  }

  async update(actor: Principal, id: string, request: UpdateUserRequest): Promise<UserSummary> {
    if (request.username === undefined && request.role === undefined) {
      throw new BadRequestException('Nothing to change: give username and/or role');
    }
    const { before, after } = await this.users.manager.transaction(async (manager) => {
      const users = manager.getRepository(UserEntity);
      const user = await this.find(id, users);
      const before = toSummary(user);
      if (request.role !== undefined && request.role !== user.role) {
        if (user.role === 'admin') await this.assertAnotherAdmin(users, 'demote');
        user.role = request.role;
      }
      if (request.username !== undefined) user.username = request.username;
      return { before, after: toSummary(await this.saveUnique(user, users)) };
    });
    await this.audit.record(actor, {
      action: 'update',
      entityType: 'user',
      entityId: id,
      before,
      after,
    });
    return after;
  }

  async remove(actor: Principal, id: string): Promise<void> {
    if (actor.kind === 'user' && actor.id === id) {
      throw new ForbiddenException('You cannot delete your own account');
    }
    const before = await this.users.manager.transaction(async (manager) => {
      const users = manager.getRepository(UserEntity);
      const user = await this.find(id, users);
      if (user.role === 'admin') await this.assertAnotherAdmin(users, 'delete');
      try {
        await users.delete(id); // its sessions go with it (ON DELETE CASCADE)
      } catch (error) {
        if (error instanceof QueryFailedError && (error as { code?: string }).code === '23503') {
          throw new ConflictException(
            `User "${user.username}" still owns configuration that cannot be deleted with it`,
          );
        }
        throw error;
      }
      return toSummary(user);
    });
    await this.audit.record(actor, { action: 'delete', entityType: 'user', entityId: id, before });
  }

  /** An admin sets a user's password: every session of that user ends, any lockout is lifted. */
  async resetPassword(actor: Principal, id: string, password: string): Promise<void> {
    const user = await this.find(id);
    user.passwordHash = await hashPassword(password);
    user.passwordChangedAt = new Date();
    await this.users.save(user);
    await this.sessions.revokeAllOfUser(id, 'password-reset');
    await this.lockout.unlock(user.username);
    await this.audit.record(actor, {
      action: 'reset-password',
      entityType: 'user',
      entityId: id,
    });
  }

  /** A user changes their own password; their other sessions end, this one goes on. */
  async changeOwnPassword(actor: Principal, current: string, next: string): Promise<void> {
    if (actor.kind !== 'user') {
      throw new ForbiddenException('Changing a password needs a user access token, not an API key');
    }
    const user = await this.find(actor.id);
    if (!(await verifyPassword(current, user.passwordHash))) {
      throw new UnauthorizedException('The current password is wrong');
    }
    if (current === next) throw new BadRequestException('The new password is the current one');
    user.passwordHash = await hashPassword(next);
    user.passwordChangedAt = new Date();
    await this.users.save(user);
    await this.sessions.revokeAllOfUser(user.id, 'password-changed', actor.sessionId);
    await this.audit.record(actor, {
      action: 'change-password',
      entityType: 'user',
      entityId: user.id,
    });
  }

  private async find(id: string, users = this.users): Promise<UserEntity> {
    const user = await users.findOne({ where: { id } });
    if (!user) throw new NotFoundException(`No user with id ${id}`);
    return user;
  }

  /**
   * Lookout must keep an admin: the last one can be neither demoted nor deleted. The admin rows
   * stay locked until the caller's transaction ends, so two admins demoting each other at once
   * cannot both succeed.
   */
  private async assertAnotherAdmin(
    users: Repository<UserEntity>,
    what: 'demote' | 'delete',
  ): Promise<void> {
    const admins = await users
      .createQueryBuilder('u')
      .select('u.id')
      .where('u.role = :role', { role: 'admin' satisfies UserRole })
      .setLock('pessimistic_write')
      .getMany();
    if (admins.length <= 1) {
      throw new ConflictException(`Cannot ${what} the last admin: make another user admin first`);
    }
  }

  private async saveUnique(user: UserEntity, users = this.users): Promise<UserEntity> {
    try {
      return await users.save(user);
    } catch (error) {
      if (error instanceof QueryFailedError && (error as { code?: string }).code === '23505') {
        throw new ConflictException(`A user named "${user.username}" exists already`);
      }
      throw error;
    }
  }
}

export function toSummary(user: UserEntity): UserSummary {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    passwordChangedAt: user.passwordChangedAt?.toISOString() ?? null,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}
