import { ForbiddenException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { UserRole } from '@app/contracts';
import { AllowSourceRestrictedKeys, Public, RequireRole, RequireScope } from './decorators';
import type { ApiKeyScope, Principal } from './principal';
import {
  accessAllows,
  effectiveRole,
  hasRole,
  hasScope,
  isIngestRoute,
  RolesGuard,
  routeAccess,
} from './roles.guard';

const user = (role: UserRole): Principal => ({ kind: 'user', id: 'u', username: 'u', role });
const key = (scopes: ApiKeyScope[], source: string | null = null): Principal => ({
  kind: 'api-key',
  id: 'k',
  name: 'k',
  scopes,
  source,
});

@RequireRole('editor')
class EditorController {
  read(): void {}

  @RequireRole('viewer')
  lowered(): void {}

  @RequireScope('ingest')
  send(): void {}

  @Public()
  open(): void {}
}

@RequireScope('ingest')
@AllowSourceRestrictedKeys('source-param')
class IngestController {
  send(): void {}

  @AllowSourceRestrictedKeys('no-log-data')
  probe(): void {}

  @RequireScope('ingest', 'read')
  progress(): void {}
}

class PlainController {
  list(): void {}
}

const reflector = new Reflector();
const access = (controller: { prototype: object }, method: string) =>
  routeAccess(
    reflector,
    (controller.prototype as Record<string, object>)[method],
    controller as unknown as object,
  );

function context(controller: { prototype: object }, method: string, request: object) {
  return {
    getType: () => 'http',
    getHandler: () => (controller.prototype as Record<string, object>)[method],
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe('roles and scopes', () => {
  it('maps principals to roles: users by role, keys by scope, ingest-only keys to none', () => {
    expect(effectiveRole(user('editor'))).toBe('editor');
    expect(effectiveRole(key(['ingest']))).toBeNull();
    expect(effectiveRole(key(['ingest', 'read']))).toBe('viewer');
    expect(effectiveRole(key(['read', 'admin']))).toBe('admin');
    expect(hasRole(user('admin'), 'editor')).toBe(true);
    expect(hasRole(user('viewer'), 'editor')).toBe(false);
    expect(hasRole(key(['read']), 'viewer')).toBe(true);
    expect(hasRole(key(['read']), 'editor')).toBe(false);
    expect(hasRole(key(['ingest']), 'viewer')).toBe(false);
    expect(hasRole(key(['admin']), 'admin')).toBe(true);
  });

  it('maps scopes to users by role, and lets admin keys do everything', () => {
    expect(hasScope(user('viewer'), 'read')).toBe(true);
    expect(hasScope(user('viewer'), 'ingest')).toBe(false);
    expect(hasScope(user('editor'), 'ingest')).toBe(true);
    expect(hasScope(user('editor'), 'admin')).toBe(false);
    expect(hasScope(key(['read']), 'ingest')).toBe(false);
    expect(hasScope(key(['admin']), 'ingest')).toBe(true);
    expect(hasScope(key(['ingest']), 'ingest')).toBe(true);
  });

  it('reads the method’s requirement before its controller’s, viewer when none is stated', () => {
    expect(access(EditorController, 'read')).toMatchObject({ role: 'editor', explicit: true });
    expect(access(EditorController, 'lowered')).toMatchObject({ role: 'viewer', explicit: true });
    expect(access(EditorController, 'send')).toMatchObject({ role: null, scopes: ['ingest'] });
    expect(access(EditorController, 'open').public).toBe(true);
    expect(access(PlainController, 'list')).toMatchObject({
      role: 'viewer',
      scopes: null,
      explicit: false,
      public: false,
    });
    expect(access(IngestController, 'probe').sourceRestriction).toBe('no-log-data');
    expect(access(IngestController, 'send').sourceRestriction).toBe('source-param');
    expect(isIngestRoute(access(IngestController, 'send'))).toBe(true);
    expect(isIngestRoute(access(PlainController, 'list'))).toBe(false);
    const progress = access(IngestController, 'progress');
    expect(accessAllows(key(['read']), progress)).toBe(true);
    expect(accessAllows(key(['ingest']), progress)).toBe(true);
    expect(accessAllows(user('viewer'), progress)).toBe(true);
    expect(accessAllows(user('viewer'), access(IngestController, 'send'))).toBe(false);
  });

  describe('RolesGuard', () => {
    const guard = new RolesGuard(reflector);

    it('refuses too weak a principal with 403 saying what is needed', () => {
      expect(() =>
        guard.canActivate(context(EditorController, 'read', { user: user('viewer') })),
      ).toThrow(new ForbiddenException('This needs the editor role'));
      expect(() =>
        guard.canActivate(context(IngestController, 'send', { user: key(['read']) })),
      ).toThrow(/ingest scope, or a user with the editor role/);
      expect(guard.canActivate(context(PlainController, 'list', { user: key(['read']) }))).toBe(
        true,
      );
      expect(() =>
        guard.canActivate(context(PlainController, 'list', { user: key(['ingest']) })),
      ).toThrow(/viewer role/);
    });

    it('keeps a source-restricted key to its source', () => {
      const restricted = key(['ingest', 'read'], 'billing');
      const request = { user: restricted, query: {} as Record<string, unknown> };
      expect(guard.canActivate(context(IngestController, 'send', request))).toBe(true);
      expect(request.query.source).toBe('billing');
      for (const source of ['billing', ['billing', 'billing'], '']) {
        const ok = { user: restricted, query: { source } as Record<string, unknown> };
        expect(guard.canActivate(context(IngestController, 'send', ok))).toBe(true);
        expect(ok.query.source).toBe('billing');
      }
      for (const source of ['payroll', ['billing', 'payroll'], 'Billing']) {
        expect(() =>
          guard.canActivate(
            context(IngestController, 'send', { user: restricted, query: { source } }),
          ),
        ).toThrow(ForbiddenException);
      }
      const probe = { user: restricted, query: { source: 'anything' } };
      expect(guard.canActivate(context(IngestController, 'probe', probe))).toBe(true);
      expect(probe.query.source).toBe('anything');
      expect(() =>
        guard.canActivate(context(PlainController, 'list', { user: restricted, query: {} })),
      ).toThrow(/restricted to source "billing"/);
      // Users and unrestricted keys are not touched.
      const free = { user: key(['ingest']), query: { source: 'payroll' } };
      expect(guard.canActivate(context(IngestController, 'send', free))).toBe(true);
      expect(free.query.source).toBe('payroll');
    });
  });
});
