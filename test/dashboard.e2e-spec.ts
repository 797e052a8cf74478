import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  ensureFrontendBuilt,
  launchChromium,
  screenshot,
  signIn,
  watchErrors,
} from './browser/chromium';
import { sampleLogs } from './browser/sample-logs';

const describeInBrowser = chromiumAvailable() ? describe : describe.skip;
if (!chromiumAvailable()) {
  console.warn(
    `Dashboard browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

const VIEWPORT = { width: 1280, height: 800 };

/** The dashboard in Debian's Chromium against api + worker booted in this process. */
describeInBrowser('dashboard in a real browser (api + worker, real Postgres and Redis)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let apiKey: string;
  let password: string;

  const ingest = async (source: string, lines: string[]) => {
    const response = await fetch(`${system.baseUrl}/api/v1/ingest?source=${source}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/plain' },
      body: `${lines.join('\n')}\n`,
    });
    expect(response.status).toBe(202);
  };

  const open = async (hashPath: string) => {
    await page.goto(`${system.baseUrl}/#${hashPath}`);
  };

  beforeAll(async () => {
    const frontendDir = ensureFrontendBuilt();
    testEnv = createTestEnv('dashboard', { FRONTEND_DIR: frontendDir });
    password = testEnv.env.ADMIN_PASSWORD;
    system = await startSystem(testEnv);
    const token = await system.login();
    apiKey = await system.createApiKey(token, 'dashboard test');
    // A day of realistic lines, so every chart and table has something to show.
    for (const [source, lines] of Object.entries(sampleLogs({ count: 4000 }))) {
      for (let i = 0; i < lines.length; i += 1000) await ingest(source, lines.slice(i, i + 1000));
    }
    await system.drain();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light' });
    page = await context.newPage();
    errors = watchErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await testEnv?.cleanup();
  });

  afterEach(() => {
    // No uncaught exception or console error in the page during the test.
    expect(errors.splice(0)).toEqual([]);
  });

  it('signs in, shows the nav for the role, and signs out', async () => {
    await page.goto(`${system.baseUrl}/`);
    await page.getByLabel('Username').waitFor();
    await screenshot(page, '01-login');

    // A wrong password is refused on the form.
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('login-error').waitFor();

    await signIn(page, system.baseUrl, 'admin', password);
    expect(await page.getByTestId('current-user').innerText()).toContain('admin');
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const item of ['Overview', 'Live tail', 'Search', 'Alerts', 'Notifications', 'Settings'])
      await nav.getByRole('link', { name: item }).waitFor();
    // The session is kept in sessionStorage, never in localStorage or a cookie.
    // (Page code as text: this file is type-checked without the DOM library.)
    const storage = await page.evaluate<{
      session: string | null;
      local: string[];
      cookie: string;
    }>(
      `({
        session: sessionStorage.getItem('lookout.session'),
        local: Object.keys(localStorage).filter((key) => key !== 'lookout.theme'),
        cookie: document.cookie,
      })`,
    );
    expect(storage.session).toContain('accessToken');
    expect(storage.local).toEqual([]);
    expect(storage.cookie).toBe('');

    await page.getByTestId('stat-lines').getByText(/\d/).first().waitFor();
    await page.getByTestId('overview-volume').locator('canvas').first().waitFor();
    await screenshot(page, '02-overview');

    await page.getByTestId('logout').click();
    await page.getByLabel('Username').waitFor();
    expect(
      await page.evaluate<string | null>(`sessionStorage.getItem('lookout.session')`),
    ).toBeNull();
    await signIn(page, system.baseUrl, 'admin', password);
  }, 60_000);

  it('hides admin screens from a viewer', async () => {
    const token = await system.login();
    const created = await fetch(`${system.baseUrl}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ username: 'vera', password: 'viewer-password-1', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    const viewerContext = await browser.newContext({ viewport: VIEWPORT });
    const viewer = await viewerContext.newPage();
    try {
      await signIn(viewer, system.baseUrl, 'vera', 'viewer-password-1');
      expect(await viewer.getByTestId('current-user').innerText()).toContain('viewer');
      await viewer.goto(`${system.baseUrl}/#/settings`);
      const tabs = viewer.getByRole('navigation', { name: 'Settings' });
      await tabs.getByRole('link', { name: 'Retention' }).waitFor();
      expect(await tabs.getByRole('link', { name: 'Users & roles' }).count()).toBe(0);
      expect(await tabs.getByRole('link', { name: 'API keys' }).count()).toBe(0);
      // Editing controls are for editors: a viewer sees sources without "Add source".
      await viewer.goto(`${system.baseUrl}/#/sources`);
      await viewer.getByTestId('sources-table').waitFor();
      expect(await viewer.getByRole('button', { name: 'Add source' }).count()).toBe(0);
      await screenshot(viewer, '03-viewer-sources');
    } finally {
      await viewerContext.close();
    }
  }, 60_000);

  it('streams a line sent over HTTP into the live tail, with all its fields on click', async () => {
    await open('/live');
    await page.getByTestId('tail-status').getByText('Live').waitFor();
    // The worker publishes to live tail once it sees a subscriber (within a second).
    const marker = `tail-probe-${Date.now()}`;
    const line = JSON.stringify({
      level: 'error',
      msg: `payment declined ${marker}`,
      host: 'web-9',
      order_id: 'A-1234',
    });
    const row = page.getByTestId('tail-row').filter({ hasText: marker });
    for (let attempt = 0; attempt < 20 && (await row.count()) === 0; attempt++) {
      await ingest('checkout-api', [line]);
      await row
        .first()
        .waitFor({ timeout: 1000 })
        .catch(() => undefined);
    }
    await row.first().waitFor();
    expect(await row.first().locator('.level-badge').innerText()).toMatch(/error/i);
    await screenshot(page, '04-live-tail');

    await row.first().click();
    const detail = page.getByTestId('log-detail');
    await detail.getByText('A-1234', { exact: true }).waitFor();
    await detail.locator('pre.raw').getByText(marker).waitFor();
    await screenshot(page, '05-live-tail-detail');

    // Auto-scroll: follows new lines, stops when the user scrolls up, resumes at the bottom.
    // (Opening a line stopped it: close the panel and follow again first.)
    await page.keyboard.press('Escape');
    await page.getByTestId('log-detail').waitFor({ state: 'detached' });
    await page.getByTestId('tail-jump').click();
    const list = page.getByTestId('tail-list');
    const position = () =>
      list.evaluate((el) => ({
        top: el.scrollTop,
        fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight,
      }));
    const tailCount = async () =>
      Number((await page.getByTestId('tail-count').innerText()).split('/')[0].replace(/\D/g, ''));
    const before = await tailCount();
    await ingest(
      'checkout-api',
      Array.from({ length: 80 }, (_, i) => `scroll filler ${i}`),
    );
    await waitFor(async () => (await tailCount()) >= before + 80, 'the filler lines', 10_000);
    await waitFor(async () => (await position()).fromBottom < 24, 'the list to follow', 5_000);
    await list.hover();
    await page.mouse.wheel(0, -600);
    await page.getByTestId('tail-jump').waitFor();
    const reading = (await position()).top;
    await ingest('checkout-api', ['arrives while reading']);
    await waitFor(async () => (await tailCount()) >= before + 81, 'the next line', 10_000);
    expect(Math.abs((await position()).top - reading)).toBeLessThan(2);
    await page.getByTestId('tail-jump').click();
    await page.getByTestId('tail-jump').waitFor({ state: 'detached' });
    expect((await position()).fromBottom).toBeLessThan(24);

    // Pause: lines sent meanwhile are skipped and counted when resuming.
    await page.getByTestId('tail-pause').click();
    await page.getByTestId('tail-status').getByText('Paused').waitFor();
    await ingest('checkout-api', ['while paused 1', 'while paused 2']);
    await system.drain();
    // Stored lines reach the live tail over Redis pub/sub a moment after the drain.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await page.getByTestId('tail-pause').click();
    await page.getByTestId('tail-skipped').filter({ hasText: 'skipped while paused' }).waitFor();

    // An invalid query is refused with its position.
    await page.getByTestId('tail-query').fill('level:(error OR');
    await page.getByTestId('tail-query').press('Enter');
    await page
      .getByTestId('query-error')
      .getByText(/at position 15/)
      .waitFor();
    await page.getByTestId('tail-query').fill('');
    await page.getByTestId('tail-query').press('Enter');
    await page.getByTestId('query-error').waitFor({ state: 'detached' });
  }, 60_000);

  it('highlights the searched term from the server spans, and points at query errors', async () => {
    await open('/search?q=declined&from=now-24h&to=now');
    const rows = page.getByTestId('result-row');
    await rows.first().waitFor();
    const marks = await rows.first().locator('mark').allInnerTexts();
    expect(marks.map((m) => m.toLowerCase())).toContain('declined');
    // Rendered as text: a <mark> element, no HTML from the log line.
    expect(await page.locator('.cell-message script').count()).toBe(0);
    await page.getByTestId('search-histogram').locator('canvas').first().waitFor();
    await page.getByTestId('facet-level').getByText('error').first().waitFor();
    await screenshot(page, '06-search');

    await page.getByTestId('search-query').fill('status:>= AND');
    await page.getByTestId('search-query').press('Enter');
    await page
      .getByTestId('query-error')
      .getByText(/at position \d+/)
      .waitFor();
    await screenshot(page, '07-search-error');

    // A facet narrows the search; the address keeps it.
    await page.getByTestId('search-query').fill('');
    await page.getByTestId('search-query').press('Enter');
    await page.getByTestId('facet-source').getByText('payments').click();
    await page.waitForURL(/source=payments/);
    const sourceCells = page.locator('[data-testid=result-row] > span:nth-child(3)');
    await waitFor(
      async () => {
        const sources = await sourceCells.allInnerTexts();
        return sources.length > 0 && sources.every((source) => source === 'payments');
      },
      'results of the payments source only',
      10_000,
    );
  }, 60_000);

  it('runs the parser playground as you type', async () => {
    await open('/sources/pipelines/new');
    const results = page.getByTestId('playground-results');
    await results.getByText('fields.client.ip').first().waitFor();
    await page
      .getByTestId('playground-lines')
      .fill('level=warn msg="disk almost full" disk=sda1 used_pct=91');
    await page.getByLabel('a format').check();
    await results.getByText('fields.disk').waitFor();
    await screenshot(page, '08-pipeline-playground');
  }, 60_000);

  it('creates a rule in the UI that fires, and shows it in history with its evidence', async () => {
    await open('/alerts/rules/new');
    const form = page.getByTestId('rule-form');
    await form.getByLabel('Name', { exact: true }).fill('Checkout exploded');
    await page.getByTestId('rule-query').fill('"checkout exploded"');
    await form.getByLabel('Threshold').fill('2');
    await form.getByLabel('Window (seconds)').fill('60');
    // The backtest follows the form: no such line in history, so it would never have fired.
    await page
      .getByTestId('backtest-summary')
      .getByText(/fired 0 times/)
      .waitFor();
    await page.getByTestId('rule-save').click();
    await page.waitForURL(/#\/alerts\/rules\/[0-9a-f-]{36}$/);
    await page.getByText('Saved. Running workers evaluate it within a second.').waitFor();
    await page.getByTestId('backtest-summary').waitFor();
    await screenshot(page, '14-alert-rule-editor');

    // Five matching lines in one batch: 5 > 2 in the window, so it fires.
    const alertRow = page.getByTestId('alert-row').filter({ hasText: 'Checkout exploded' });
    await open('/alerts/history');
    await page.getByTestId('alerts-table').or(page.getByText('No alerts')).first().waitFor();
    for (let attempt = 0; attempt < 10 && (await alertRow.count()) === 0; attempt++) {
      await ingest(
        'checkout-api',
        [1, 2, 3, 4, 5].map((n) =>
          JSON.stringify({
            level: 'error',
            msg: `checkout exploded for order ${attempt}-${n}`,
            host: 'web-1',
          }),
        ),
      );
      await alertRow
        .first()
        .waitFor({ timeout: 3000 })
        .catch(() => undefined);
    }
    await alertRow.first().waitFor();
    expect(await alertRow.first().getByTestId('alert-state').innerText()).toMatch(/firing/);
    await screenshot(page, '15-alert-history');

    await alertRow.first().click();
    const evidence = page.getByTestId('evidence');
    await evidence.locator('mark').first().waitFor();
    const marks = (await evidence.locator('mark').allInnerTexts()).map((m) => m.toLowerCase());
    expect(marks).toContain('checkout exploded');
    expect(await evidence.innerText()).toContain('checkout exploded for order');
    await screenshot(page, '16-alert-detail');

    await page.getByLabel('Comment (optional)').fill('on it');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByTestId('acknowledged').getByText('on it').waitFor();

    await open('/overview');
    await page.getByTestId('active-alerts').getByText('Checkout exploded').waitFor();
    await page.getByTestId('overview-volume').locator('canvas').first().waitFor();
    await screenshot(page, '17-overview-with-alert');
  }, 90_000);

  it('shows every other screen in light and dark', async () => {
    const screens: [string, string, string][] = [
      ['09-sources', '/sources', 'sources-table'],
      ['10-settings-retention', '/settings/retention', 'retention-days'],
      ['11-settings-users', '/settings/users', 'users-table'],
      ['12-settings-api-keys', '/settings/api-keys', 'api-keys-table'],
      ['13-notifications-templates', '/notifications/templates', 'template-preview'],
      ['18-alert-rules', '/alerts/rules', 'rules-table'],
      ['19-alert-silences', '/alerts/silences', 'silences-form'],
      ['23-notifications-channels', '/notifications/channels', 'channels-tab'],
      ['24-notifications-recipients', '/notifications/recipients', 'recipients-tab'],
      ['25-notifications-deliveries', '/notifications/deliveries', 'deliveries-tab'],
      ['26-sources-pipelines', '/sources/pipelines', 'pipelines-tab'],
      ['27-sources-patterns', '/sources/patterns', 'patterns-tab'],
      ['28-settings-audit', '/settings/audit', 'audit-tab'],
      ['29-settings-account', '/settings/account', 'account-tab'],
    ];
    const settled = async (testId: string) => {
      await page.getByTestId(testId).waitFor();
      // Loading indicators gone: the screenshot shows the data.
      await page.locator('.state[role=status]').first().waitFor({ state: 'detached' });
      // (Not "networkidle": the live tail's socket and polling pages keep the network busy.)
      await page.waitForTimeout(400);
    };
    for (const [name, path, testId] of screens) {
      await open(path);
      await settled(testId);
      await screenshot(page, name);
    }
    await page.emulateMedia({ colorScheme: 'dark' });
    for (const [name, path, testId] of [
      ['20-overview-dark', '/overview', 'overview-volume'],
      ['21-search-dark', '/search?q=timeout&from=now-24h&to=now', 'search-histogram'],
      ['22-live-dark', '/live', 'tail-status'],
      ['30-alert-history-dark', '/alerts/history', 'alerts-table'],
      ['31-retention-dark', '/settings/retention', 'retention-days'],
    ]) {
      await open(path);
      await settled(testId);
      expect(await page.evaluate<string>('document.documentElement.dataset.theme')).toBe('dark');
      await screenshot(page, name);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }, 90_000);
});
