import type { AuditEntry } from '@app/contracts';
import { createTestEnv, startSystem, type TestEnv, type TestSystem } from '@app/testing';

/** Configuration changes land in the audit log; file sources are for admins only. */
describe('audit log and file-source permission (real api)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let admin: string;
  let editor: string;

  const call = (token: string, method: string, path: string, body?: unknown) =>
    fetch(`${system.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    testEnv = createTestEnv('audit');
    system = await startSystem(testEnv, { worker: false });
    admin = await system.login();
    const created = await call(admin, 'POST', '/api/v1/users', {
      username: 'eddie',
      password: 'editor-password-1',
      role: 'editor',
    });
    expect(created.status).toBe(201);
    editor = await system.login('eddie', 'editor-password-1');
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
  });

  it('refuses a file source to an editor, allows it to an admin, and audits the change', async () => {
    const fileSource = { name: 'etc', type: 'file', settings: { include: ['/etc/passwd'] } };
    const refused = await call(editor, 'POST', '/api/v1/sources', fileSource);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/admin role/);

    const other = await call(editor, 'POST', '/api/v1/sources', {
      name: 'edge-syslog',
      type: 'syslog',
      settings: {},
    });
    expect(other.status).toBe(201);
    const source = (await other.json()) as { id: string };
    const renamed = await call(editor, 'PATCH', `/api/v1/sources/${source.id}`, {
      name: 'edge-syslog-2',
    });
    expect(renamed.status).toBe(200);

    const audit = (await (
      await call(admin, 'GET', `/api/v1/audit?entityType=source&entityId=${source.id}`)
    ).json()) as AuditEntry[];
    expect(audit.map((entry) => entry.action)).toEqual(['update', 'create']);
    expect(audit[0]).toMatchObject({
      actor: { kind: 'user', name: 'eddie' },
      before: expect.objectContaining({ name: 'edge-syslog' }),
      after: expect.objectContaining({ name: 'edge-syslog-2' }),
    });
    // Viewers and editors cannot read the audit log.
    expect((await call(editor, 'GET', '/api/v1/audit')).status).toBe(403);
  });

  it('audits pipeline and grok pattern changes with before and after', async () => {
    const created = await call(admin, 'POST', '/api/v1/pipelines', {
      name: 'web',
      source: 'web',
      steps: [{ type: 'parse', format: 'nginx-access' }],
    });
    expect(created.status).toBe(201);
    const pipeline = (await created.json()) as { id: string };
    expect((await call(admin, 'DELETE', `/api/v1/pipelines/${pipeline.id}`)).status).toBe(204);
    expect(
      (await call(admin, 'PUT', '/api/v1/patterns', { name: 'ORDER_ID', pattern: 'ord-[0-9]+' }))
        .status,
    ).toBe(200);

    const entries = (await (await call(admin, 'GET', '/api/v1/audit')).json()) as AuditEntry[];
    const pipelineEntries = entries.filter((entry) => entry.entityId === pipeline.id);
    expect(pipelineEntries.map((entry) => entry.action)).toEqual(['delete', 'create']);
    expect(pipelineEntries[0].before).toMatchObject({ name: 'web' });
    expect(pipelineEntries[0].after).toBeNull();
    expect(entries.find((entry) => entry.entityType === 'grok-pattern')).toMatchObject({
      action: 'create',
      entityId: 'ORDER_ID',
      after: { name: 'ORDER_ID', pattern: 'ord-[0-9]+' },
    });
  });
});
