import { accessAllows, RouteCatalog, type CatalogRoute, type Principal } from '@app/auth';
import { createTestEnv, startSystem, type TestEnv, type TestSystem } from '@app/testing';

/**
 * Proof that every route is guarded. The routes come from the api's OpenAPI document and from the
 * route metadata of every controller (so routes added later by any lib are covered without
 * touching this file); each one is called without credentials (401), and with principals that
 * are too weak for it (403): a viewer, an editor, a read-only key and an ingest-only key.
 */

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      { parameters?: { name: string; in: string; schema?: { format?: string; type?: string } }[] }
    >
  >;
}

interface Caller {
  name: string;
  /** The principal as the guard sees it, to compute what it may do from the route metadata. */
  principal: Principal;
  headers: Record<string, string>;
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const NIL_UUID = '00000000-0000-4000-8000-000000000000';

/** `/api/v1/sources/{id}` (OpenAPI) → `/api/v1/sources/:id` (Fastify). */
const fromOpenApiPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

describe('every route is guarded (OpenAPI document + route metadata, real api)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let document: OpenApiDocument;
  let routes: CatalogRoute[];
  const callers: Caller[] = [];

  const call = async (route: CatalogRoute, headers: Record<string, string>): Promise<Response> => {
    const hasBody = !['GET', 'HEAD', 'DELETE'].includes(route.method);
    return fetch(`${system.baseUrl}${concretePath(route)}`, {
      method: route.method,
      headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      body: hasBody ? '{}' : undefined,
    });
  };

  /** Path parameters filled with plausible values: uuids where the document says so. */
  const concretePath = (route: CatalogRoute): string => {
    const operation = findOperation(route);
    return route.path
      .replace(/:(\w+)/g, (_match, name: string) => {
        const schema = operation?.parameters?.find(
          (p) => p.in === 'path' && p.name === name,
        )?.schema;
        if (schema?.format === 'uuid' || /id$/i.test(name)) return NIL_UUID;
        if (schema?.type === 'integer' || schema?.type === 'number') return '1';
        return 'example';
      })
      .replace(/\*$/, 'example');
  };

  const findOperation = (route: CatalogRoute) => {
    for (const [path, operations] of Object.entries(document.paths)) {
      if (fromOpenApiPath(path) === route.path) return operations[route.method.toLowerCase()];
    }
    return undefined;
  };

  const post = async (path: string, token: string, body: unknown) => {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    testEnv = createTestEnv('security_routes');
    system = await startSystem(testEnv, { worker: false });
    const admin = await system.login();
    for (const role of ['viewer', 'editor'] as const) {
      const user = await post('/api/v1/users', admin, {
        username: `${role}-user`,
        password: `${role}-password`,
        role,
      });
      const token = await system.login(`${role}-user`, `${role}-password`);
      callers.push({
        name: `${role} user`,
        principal: { kind: 'user', id: String(user.id), username: `${role}-user`, role },
        headers: { authorization: `Bearer ${token}` },
      });
    }
    for (const scope of ['read', 'ingest'] as const) {
      const key = await post('/api/v1/api-keys', admin, { name: `${scope} key`, scopes: [scope] });
      callers.push({
        name: `${scope}-only API key`,
        principal: {
          kind: 'api-key',
          id: String(key.id),
          name: `${scope} key`,
          scopes: [scope],
          source: null,
        },
        headers: { 'x-api-key': String(key.key) },
      });
    }
    document = (await (await fetch(`${system.baseUrl}/docs-json`)).json()) as OpenApiDocument;
    routes = system.api.get(RouteCatalog).routes();
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
  });

  it('knows every route of the OpenAPI document from the route metadata', () => {
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => HTTP_METHODS.includes(method))
        .map((method) => `${method.toUpperCase()} ${fromOpenApiPath(path)}`),
    );
    const known = new Set(routes.map((route) => `${route.method} ${route.path}`));
    expect(documented.length).toBeGreaterThan(40);
    expect(documented.filter((route) => !known.has(route))).toEqual([]);
  });

  it('gives every route that changes something an explicit role or scope', () => {
    const unstated = routes
      .filter((route) => !route.access.public && route.method !== 'GET' && !route.access.explicit)
      .map((route) => `${route.method} ${route.path} (${route.controller}.${route.handler})`);
    expect(unstated).toEqual([]);
  });

  it('has no public route but sign-in, health and metrics (add a new one here on purpose)', () => {
    const open = routes.filter((route) => route.access.public).map((r) => `${r.method} ${r.path}`);
    expect(open.sort()).toEqual(
      [
        'GET /health',
        'GET /health/live',
        'GET /metrics',
        'POST /api/v1/auth/login',
        'POST /api/v1/auth/logout',
        'POST /api/v1/auth/refresh',
      ].sort(),
    );
  });

  it('answers 401 on every non-public route without credentials or with bad ones', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => !r.access.public)) {
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer not-a-token' },
        { 'x-api-key': 'lk_0000000000000000000000000000000000000000' },
      ];
      for (const headers of attempts) {
        const response = await call(route, headers);
        const body = (await response.json().catch(() => null)) as { statusCode?: number } | null;
        if (response.status !== 401 || body?.statusCode !== 401) {
          failures.push(
            `${route.method} ${route.path} ${JSON.stringify(headers)} → ${response.status}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 403 to every principal too weak for a route, and lets the others through', async () => {
    const failures: string[] = [];
    let forbidden = 0;
    for (const route of routes.filter((r) => !r.access.public)) {
      for (const caller of callers) {
        const allowed = accessAllows(caller.principal, route.access);
        const response = await call(route, caller.headers);
        const where = `${route.method} ${route.path} as ${caller.name} → ${response.status}`;
        if (!allowed) {
          forbidden++;
          const body = (await response.json().catch(() => null)) as { statusCode?: number } | null;
          if (response.status !== 403 || body?.statusCode !== 403)
            failures.push(`${where}, expected 403`);
        } else if (response.status === 401 || response.status >= 500) {
          failures.push(`${where}, expected it to pass the guards and not fail`);
        }
      }
    }
    expect(failures).toEqual([]);
    // Sanity: the weak callers were refused somewhere (admin routes at least).
    expect(forbidden).toBeGreaterThan(routes.length);
  });

  it('holds the role table this lib documents for its own routes', () => {
    const access = (method: string, path: string) => {
      const route = routes.find((r) => r.method === method && r.path === path);
      if (!route) throw new Error(`no route ${method} ${path}`);
      return route.access;
    };
    expect(access('POST', '/api/v1/users').role).toBe('admin');
    expect(access('POST', '/api/v1/api-keys').role).toBe('admin');
    expect(access('GET', '/api/v1/audit').role).toBe('admin');
    expect(access('POST', '/api/v1/sources').role).toBe('editor');
    expect(access('POST', '/api/v1/pipelines').role).toBe('editor');
    expect(access('GET', '/api/v1/logs').role).toBe('viewer');
    expect(access('POST', '/api/v1/ingest').scopes).toEqual(['ingest']);
    expect(access('POST', '/api/v1/compat/es/_bulk').scopes).toEqual(['ingest']);
    expect(access('POST', '/loki/api/v1/push').scopes).toEqual(['ingest']);
    expect(access('POST', '/api/v1/uploads').scopes).toEqual(['ingest']);
  });
});
