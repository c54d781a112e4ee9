import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Locator, type Page, chromium } from 'playwright-core';
import { explainErrno } from '../../apps/dashboard/src/errno-text';
import { type Stack, startStack, waitFor } from './stack';

/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against the real
 * stack: decider, projector and api processes over Kafka and Postgres, the api serving the built
 * dashboard. Screenshots go to test-results/screenshots, or to docs/screenshots with
 * KLP_UPDATE_SCREENSHOTS=1.
 */
const root = path.resolve(__dirname, '../..');
const dashboardDir = process.env.KLP_DASHBOARD_DIR ?? path.join(root, 'apps/dashboard/dist');
const screenshotDir = path.join(
  root,
  process.env.KLP_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots',
);
const CHROMIUM = process.env.KLP_CHROMIUM ?? '/usr/bin/chromium';
const UI_TIMEOUT = 45_000;

const WEB = ['sim-web-01', 'sim-web-02', 'sim-web-03', 'sim-web-04', 'sim-web-05', 'sim-web-06'];
const DB = ['sim-db-01', 'sim-db-02'];
const CVE = 'livepatch_cve_2026_1234';
const NFSD = 'livepatch_nfsd_fix';

type Command = { hostId: string; type: string; payload: object };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the dashboard in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];

  const batch = async (token: string, commands: Command[]) => {
    const response = await fetch(`${stack.baseUrl}/v1/commands:batch?wait=true&timeoutMs=60000`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ commands }),
    });
    const body = (await response.json()) as { results?: { status?: string }[] };
    const refused = body.results?.filter((result) => result.status !== 'accepted');
    if (!refused || refused.length) {
      throw new Error(`commands not accepted (${response.status}): ${JSON.stringify(refused ?? body)}`);
    }
  };
  const agent = (commands: Command[]) => batch(stack.tokens.agent, commands);
  const operator = (commands: Command[]) => batch(stack.tokens.operator, commands);
  const each = (hosts: string[], type: string, payload: object) =>
    hosts.map((hostId) => ({ hostId, type, payload }));

  const shoot = async (name: string) => {
    await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  };
  const textOf = async (locator: Locator) => ((await locator.textContent()) ?? '').trim();
  const waitForText = async (locator: Locator, expected: string | RegExp, what: string) => {
    const matches = (text: string) =>
      typeof expected === 'string' ? text === expected : expected.test(text);
    await waitFor(async () => matches(await textOf(locator)), UI_TIMEOUT, what).catch(
      async (error: Error) => {
        throw new Error(`${error.message}; the page shows "${await textOf(locator).catch(() => '?')}"`);
      },
    );
  };
  const count = (patch: string, state: string) =>
    page.locator(`article[data-patch="${patch}"] .count[data-state="${state}"]`);

  beforeAll(async () => {
    if (!existsSync(path.join(dashboardDir, 'index.html'))) {
      throw new Error(`no built dashboard in ${dashboardDir}: run \`npm run dashboard:build\` first`);
    }
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    mkdirSync(screenshotDir, { recursive: true });
    process.env.KLP_DASHBOARD_DIR = dashboardDir;
    stack = await startStack();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    // A small fleet: eight hosts, a kernel CVE fix on all of them and an nfsd fix on the web hosts.
    await agent([
      ...each(WEB, 'HostBooted', { kernelRelease: '6.1.0-28-amd64', modules: ['nfsd', 'xfs'] }),
      ...each(DB, 'HostBooted', { kernelRelease: '6.1.0-27-amd64', modules: ['xfs'] }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('is served at / with a strict CSP, and signs in with a token kept in sessionStorage', async () => {
    const response = await page.goto(`${stack.baseUrl}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(
      /default-src 'self'.*frame-ancestors 'none'/,
    );
    expect(response?.headers()['x-content-type-options']).toBe('nosniff');

    await page.fill('input[name=token]', 'not-a-token');
    await page.click('button[type=submit]');
    await page.getByText('The api does not accept this token.').waitFor({ timeout: UI_TIMEOUT });
    await page.fill('input[name=token]', '');
    await shoot('sign-in');

    await page.fill('input[name=token]', stack.tokens.operator);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Fleet overview' }).waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('no-patches').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.evaluate('sessionStorage.getItem("klp.token")')).toBe(stack.tokens.operator);
  });

  it('moves the counts of the fleet overview as commands land, without a reload', async () => {
    await page.evaluate('window.__sameDocument = true');
    // The server-sent events stream is connected: updates are pushed, not only polled.
    await waitForText(page.locator('[data-testid="live"]'), '● live', 'the push stream to connect');
    await operator([
      ...each([...WEB, ...DB], 'RegisterPatch', {
        name: CVE,
        objects: [{ name: 'vmlinux', funcs: [{ name: 'cmdline_proc_show' }, { name: 'meminfo_proc_show' }] }],
      }),
      ...each(WEB, 'RegisterPatch', {
        name: NFSD,
        objects: [{ name: 'nfsd', funcs: [{ name: 'nfsd_dispatch' }] }],
      }),
    ]);
    await waitForText(count(CVE, 'disabled'), '8', 'eight hosts with the CVE fix disabled');

    await operator(each([...WEB, ...DB], 'EnablePatch', { patch: CVE }));
    await waitForText(count(CVE, 'transition'), '8', 'eight hosts in transition');
    // The hosts finish one group after another, a poll apart, so the chart shows the steps.
    for (const [hosts, patched] of [
      [DB, '2'],
      [WEB.slice(0, 3), '5'],
      [WEB.slice(3, 5), '7'],
    ] as const) {
      await agent(each([...hosts], 'PatchComplete', { patch: CVE }));
      await waitForText(count(CVE, 'patched'), patched, `${patched} hosts patched`);
      await pause(2_200);
    }
    await waitForText(count(CVE, 'transition'), '1', 'one host still in transition');

    await operator(each(WEB.slice(0, 3), 'EnablePatch', { patch: NFSD }));
    await waitForText(count(NFSD, 'disabled'), '3', 'three web hosts without the nfsd fix');
    // A stalled transition: tasks sleeping in patched functions keep it from finishing.
    await agent([
      {
        hostId: WEB[0],
        type: 'TransitionProgress',
        payload: {
          patch: NFSD,
          pendingTasks: 2,
          blockingTasks: [
            { pid: 4211, comm: 'nfsd', function: 'nfsd_dispatch' },
            { pid: 4212, comm: 'nfsd', function: 'nfsd_dispatch' },
          ],
        },
      },
      ...each(WEB.slice(1, 3), 'PatchComplete', { patch: NFSD }),
    ]);
    await waitForText(count(NFSD, 'patched'), '2', 'two hosts with the nfsd fix patched');
    await waitFor(async () => (await page.locator('.chart polyline').count()) >= 8, UI_TIMEOUT, 'the charts');
    await pause(4_500); // a few more samples for the chart
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await shoot('fleet-overview');
  });

  it('finds hosts by id prefix and filters, a page at a time', async () => {
    await page.click('header nav >> text=Hosts');
    await page.fill('input[name=q]', 'sim-web-0');
    await page.selectOption('select[name=patch]', NFSD);
    await page.selectOption('select[name=state]', 'patched');
    await page.click('form.filters button[type=submit]');
    await waitFor(
      async () => (await page.locator('table.list tbody tr').count()) === 2,
      UI_TIMEOUT,
      'two rows',
    );
    expect(await page.locator('table.list tbody a').allTextContents()).toEqual([WEB[1], WEB[2]]);
    expect(page.url()).toContain('state=patched');
    await page.selectOption('select[name=state]', '');
    await page.selectOption('select[name=patch]', '');
    await page.fill('input[name=q]', 'sim-');
    await page.click('form.filters button[type=submit]');
    await waitFor(
      async () => (await page.locator('table.list tbody tr').count()) === 8,
      UI_TIMEOUT,
      'all hosts',
    );
    await shoot('hosts');
  });

  it('opens a host: its patch tree, func stacks, modules and timeline', async () => {
    await page.click(`table.list >> text=${WEB[0]}`);
    const tree = page.getByTestId('patch-tree');
    await tree.waitFor({ timeout: UI_TIMEOUT });
    const cve = tree.locator(`li.patch[data-patch="${CVE}"]`);
    await waitForText(cve.locator('.node').first().locator('.badge'), 'patched', 'the CVE fix patched');
    expect(await textOf(cve)).toContain('enabled=1');
    expect(await textOf(cve)).toContain('cmdline_proc_show,1');
    const nfsd = tree.locator(`li.patch[data-patch="${NFSD}"]`);
    expect(await textOf(nfsd)).toContain('in transition to patched');
    expect(await textOf(page.getByTestId('func-stacks'))).toContain('nfsd/nfsd_dispatch,1');
    expect(await textOf(page.getByTestId('modules'))).toContain('nfsd');
    expect(await textOf(page.locator('.facts'))).toContain('nfsd[4211] in nfsd_dispatch');

    const audit = await fetch(`${stack.baseUrl}/v1/audit?hostId=${WEB[0]}`, {
      headers: { authorization: `Bearer ${stack.tokens.auditor}` },
    });
    if (audit.status === 200) {
      await page.getByTestId('timeline').waitFor({ timeout: UI_TIMEOUT });
      expect(await textOf(page.getByTestId('timeline'))).toMatch(/EnablePatch|TransitionProgress/);
    } else {
      await page.getByTestId('timeline-unavailable').waitFor({ timeout: UI_TIMEOUT });
    }
    await shoot('host-detail');
  });

  it('explains a refused command in words, and reverses a stalled transition', async () => {
    await page.goto(`${stack.baseUrl}/hosts/${WEB[3]}`);
    const nfsd = page.locator(`li.patch[data-patch="${NFSD}"]`);
    await nfsd.waitFor({ timeout: UI_TIMEOUT });
    await nfsd.locator('button[data-command=Disable]').click();
    const result = page.getByTestId('command-result');
    await waitForText(result, /refused with EINVAL/, 'the refusal');
    expect(await textOf(result)).toContain(explainErrno('EINVAL'));
    await shoot('refused-command');

    await page.goto(`${stack.baseUrl}/hosts/${WEB[0]}`);
    const stalled = page.locator(`li.patch[data-patch="${NFSD}"]`);
    await stalled.locator('button[data-command=Reverse]:not([disabled])').waitFor({ timeout: UI_TIMEOUT });
    await stalled.locator('button[data-command=Reverse]').click();
    await waitForText(page.getByTestId('command-result'), /Reverse .*accepted/, 'the reversal');
    await waitForText(
      stalled.locator('.node').first().locator('.muted'),
      /in transition to unpatched/,
      'unpatching',
    );
  });

  it('lists running transitions, longest first, with their blocking tasks', async () => {
    await agent([
      {
        hostId: WEB[0],
        type: 'TransitionProgress',
        payload: {
          patch: NFSD,
          pendingTasks: 1,
          blockingTasks: [{ pid: 4211, comm: 'nfsd', function: 'nfsd_dispatch' }],
        },
      },
    ]);
    await page.click('header nav >> text=Transitions');
    const rows = page.locator('table.list tbody tr');
    await waitFor(async () => (await rows.count()) === 2, UI_TIMEOUT, 'two running transitions');
    expect(await rows.locator('td:first-child').allTextContents()).toEqual([WEB[5], WEB[0]]);
    expect(await textOf(rows.nth(1))).toContain('nfsd[4211]');
    await shoot('transitions');
    await page.selectOption('select[name=olderThan]', 'PT1H');
    await page.getByText('No transition is running for that long.').waitFor({ timeout: UI_TIMEOUT });
  });

  it('shows the audit log with a verify button per host, or says it is not available', async () => {
    await page.click('header nav >> text=Audit');
    const audit = await fetch(`${stack.baseUrl}/v1/audit?limit=1`, {
      headers: { authorization: `Bearer ${stack.tokens.auditor}` },
    });
    if (audit.status === 200) {
      await page.locator(`button:has-text("Verify ${WEB[0]}")`).first().waitFor({ timeout: UI_TIMEOUT });
      await page.fill('input[name=hostId]', WEB[0]);
      await page.click('form.filters button[type=submit]');
      await page.locator(`button:has-text("Verify ${WEB[0]}")`).click();
      await page.getByText(/chain intact|broken at version/).waitFor({ timeout: UI_TIMEOUT });
    } else {
      await page.getByTestId('audit-unavailable').waitFor({ timeout: UI_TIMEOUT });
    }
    await shoot('audit');
    expect(cspViolations).toEqual([]);
  });
});
