// Accessibility: axe-core (node_modules/axe-core, injected into the page) finds no serious or
// critical violation on the default page, with a node selected, with "why isn't this
// committed?" open and with the keyboard help open, in the light and the dark colour scheme;
// the app works from the keyboard alone; the node inspector, the commit explanation and the
// screen-reader narration show what the simulation does.
import * as path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { nodeAction, nodeById, readNodes, setMaxSpeed, waitForLeader } from './helpers';

const AXE = path.join(__dirname, 'node_modules', 'axe-core', 'axe.min.js');

type Violation = {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
};

async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const axe = (window as any).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      nodes: v.nodes.map((n: any) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

/** Runs axe on the page as it is and fails on any serious or critical violation. */
async function expectNoSeriousViolations(page: Page, what: string): Promise<void> {
  const violations = await axeViolations(page);
  const report = violations
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help}\n` +
        v.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\n/g, ' ')}`)
          .join('\n'),
    )
    .join('\n');
  console.log(`axe, ${what}: ${violations.length} violation(s)${report ? `\n${report}` : ''}`);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => v.id), `serious or critical axe violations (${what}):\n${report}`).toEqual([]);
}

/** Pauses the run (the page then holds still while axe reads it). */
async function pause(page: Page): Promise<void> {
  const button = page.getByTestId('play-pause');
  if ((await button.textContent())?.includes('Pause')) await button.click();
  await expect(button).toContainText('Play');
}

/** Clicks node `id` (retrying if a message in flight takes the click) until its inspector shows. */
async function selectNode(page: Page, id: number): Promise<void> {
  const inspector = page.getByTestId('node-inspector');
  await expect(async () => {
    await nodeById(page, id).click({ force: true, timeout: 2_000 });
    await expect(inspector).toHaveAttribute('data-inspected-node', String(id), { timeout: 2_000 });
  }).toPass({ timeout: 15_000 });
}

/** Closes the commit explanation and the node panel (the helpers' nodeAction expects no
 * other node's actions on screen). */
async function closePanels(page: Page): Promise<void> {
  for (let i = 0; i < 3; i++) {
    if ((await page.getByTestId('node-inspector').count()) + (await page.getByTestId('why-not-committed').count()) === 0) break;
    await page.keyboard.press('Escape');
  }
  await expect(page.getByTestId('node-inspector')).toHaveCount(0);
}

/** A running follower of the current leader. */
async function aFollower(page: Page): Promise<number> {
  const nodes = await readNodes(page);
  const f = nodes.find((n) => n.role === 'follower' && n.status === 'up');
  expect(f, 'a running follower').toBeTruthy();
  return f!.id;
}

for (const scheme of ['light', 'dark'] as const) {
  test(`axe: no serious violations (${scheme} scheme)`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/');
    await setMaxSpeed(page);
    const leader = await waitForLeader(page);
    await pause(page);
    await expectNoSeriousViolations(page, `${scheme}, default page`);

    await selectNode(page, leader.id);
    await expectNoSeriousViolations(page, `${scheme}, node selected`);

    // A follower restarted while the run is paused knows nothing is committed yet.
    await closePanels(page);
    const f = await aFollower(page);
    await nodeAction(page, f, 'crash');
    await nodeAction(page, f, 'restart');
    await page.locator(`[data-log-node="${f}"] button.cell.uncommitted`).first().click();
    await expect(page.getByTestId('why-not-committed')).toBeVisible();
    await expectNoSeriousViolations(page, `${scheme}, why not committed`);

    await page.keyboard.press('?');
    await expect(page.getByTestId('help')).toBeVisible();
    await expectNoSeriousViolations(page, `${scheme}, keyboard help`);
    await page.keyboard.press('Escape');

    // Back in time: the time-travel bar says the run is replaying the past.
    await page.getByTestId('step-back').click();
    await expect(page.getByTestId('in-past')).toBeVisible();
    await expectNoSeriousViolations(page, `${scheme}, in the past`);
  });

  test(`axe: embed mode at 800x600 (${scheme} scheme)`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 800, height: 600 });
    await page.goto('/?embed=1&scenario=first-election');
    await expect(page.getByTestId('scenario')).toBeVisible();
    await expectNoSeriousViolations(page, `${scheme}, embed`);
  });

  test(`axe: a guided scenario with a question and its verdict (${scheme} scheme)`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/?scenario=split-vote');
    const panel = page.getByTestId('scenario');
    await expect(panel).toBeVisible();
    await expectNoSeriousViolations(page, `${scheme}, scenario`);
    // Walk to the first question, answer it and reveal.
    for (let i = 0; i < 12 && (await page.getByTestId('scenario-question').count()) === 0; i++) {
      await page.getByTestId('scenario-next').click();
    }
    await expect(page.getByTestId('scenario-question')).toBeVisible();
    await expectNoSeriousViolations(page, `${scheme}, scenario question`);
    await page.locator('[data-choice="0"] input, input[data-choice="0"]').first().check();
    await page.getByTestId('scenario-reveal').click();
    await expect(page.getByTestId('scenario-verdict')).toBeVisible();
    await expectNoSeriousViolations(page, `${scheme}, scenario verdict`);
  });
}

test('the colour scheme follows the system: dark page, light text', async ({ page }) => {
  const luminance = (rgb: string) => {
    const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/');
    await expect(nodeById(page, 1)).toBeVisible();
    const [bg, fg, panel] = await page.evaluate(() => {
      const style = (sel: string) => getComputedStyle(document.querySelector(sel)!);
      return [style('body').backgroundColor, style('body').color, style('.panel').backgroundColor];
    });
    if (scheme === 'dark') {
      expect(luminance(bg)).toBeLessThan(60);
      expect(luminance(panel)).toBeLessThan(60);
      expect(luminance(fg)).toBeGreaterThan(180);
    } else {
      expect(luminance(bg)).toBeGreaterThan(200);
      expect(luminance(fg)).toBeLessThan(80);
    }
  }
});

test('reduced motion: no transitions and no heartbeat pulse', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto('/');
  await waitForLeader(page);
  const transition = await nodeById(page, 1).evaluate((el) => getComputedStyle(el).transitionDuration);
  expect(transition.split(',').every((d) => parseFloat(d) === 0)).toBe(true);
  // The leader's heartbeat pulse is in the DOM for a moment after each round: never shown.
  const pulse = page.locator('svg .pulse');
  await expect.poll(() => pulse.count(), { timeout: 15_000 }).toBeGreaterThan(0);
  expect(await pulse.first().evaluate((el) => getComputedStyle(el).display)).toBe('none');
});

test('keyboard only: Space, Tab to a node, Enter, its action key, ? and Escape, K', async ({ page }) => {
  await page.goto('/');
  await setMaxSpeed(page);
  await waitForLeader(page);
  const playPause = page.getByTestId('play-pause');
  // Typing in a field types: no shortcut fires. On the speed slider they do.
  const seed = page.getByTestId('seed');
  await seed.focus();
  await page.keyboard.type('k 2');
  await expect(seed).toHaveValue(/k 2$/);
  await expect(playPause).toContainText('Pause');
  await expect(page.getByTestId('node-inspector')).toHaveCount(0);
  await page.getByTestId('speed').focus();
  await page.keyboard.press('k');
  await expect(playPause).toContainText('Play');
  await page.keyboard.press('k');
  await expect(playPause).toContainText('Pause');
  // Nothing focused: Space pauses and plays.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(' ');
  await expect(playPause).toContainText('Play');
  await page.keyboard.press(' ');
  await expect(playPause).toContainText('Pause');

  // Tab until a node has the focus; its focus ring shows.
  let id = 0;
  for (let i = 0; i < 40 && id === 0; i++) {
    await page.keyboard.press('Tab');
    id = await page.evaluate(() => {
      const el = document.activeElement;
      return el?.classList.contains('node-button')
        ? Number(el.closest('[data-node-id]')?.getAttribute('data-node-id'))
        : 0;
    });
  }
  expect(id, 'Tab reaches a node').toBeGreaterThan(0);
  const focused = page.locator(`svg [data-node-id="${id}"] .node-button`);
  await expect(focused).toHaveAttribute('role', 'button');
  await expect(focused).toHaveAttribute('aria-label', new RegExp(`^Node ${id}, (follower|leader|candidate), term \\d+`));
  const ring = await page.locator(`svg [data-node-id="${id}"] .focus-ring`).evaluate((el) => getComputedStyle(el).stroke);
  expect(ring, 'a visible focus ring').not.toBe('none');

  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-inspector')).toHaveAttribute('data-inspected-node', String(id));
  await expect(focused).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('c');
  await expect(nodeById(page, id)).toHaveAttribute('data-status', 'crashed');
  await expect(page.getByTestId('narration')).toContainText(`Node ${id} crashed`);

  await page.keyboard.press('?');
  const help = page.getByTestId('help');
  await expect(help).toBeVisible();
  await expect(help).toHaveAttribute('role', 'dialog');
  await expect(help).toHaveAttribute('aria-modal', 'true');
  await expect(page.getByTestId('help-close')).toBeFocused();
  // It lists the global keys and every node action key.
  for (const key of ['Space, K', '+', '.', ',', '1–9', '?', 'c', 'r', 't', 'p', 'u', 'i', 'h', 'l', 'x', 'd', 's']) {
    await expect(help.locator('kbd', { hasText: new RegExp(`^${key.replace(/[.+?]/g, '\\$&')}$`) })).toHaveCount(1);
  }
  // Tab stays in the dialog; keys other than its own do nothing while it is open.
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('help-close')).toBeFocused();
  await page.keyboard.press('r');
  await expect(nodeById(page, id)).toHaveAttribute('data-status', 'crashed');
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await expect(focused).toBeFocused();

  // The node keeps the focus (Space would press it): K plays and pauses from anywhere.
  await page.keyboard.press('k');
  await expect(playPause).toContainText('Play');
  await page.keyboard.press('r');
  await expect(nodeById(page, id)).toHaveAttribute('data-status', 'up');
  // Digits select nodes.
  const other = id === 1 ? 2 : 1;
  await page.keyboard.press(String(other));
  await expect(page.getByTestId('node-inspector')).toHaveAttribute('data-inspected-node', String(other));
});

test('the node inspector shows Figure 2 state, the leader progress and the counters', async ({ page }) => {
  await page.goto('/');
  await setMaxSpeed(page);
  const leader = await waitForLeader(page);
  await pause(page);
  await selectNode(page, leader.id);
  const inspector = page.getByTestId('node-inspector');
  const term = await nodeById(page, leader.id).getAttribute('data-term');
  const value = (field: string) => inspector.locator(`[data-field="${field}"]`).getAttribute('data-value');
  expect(await value('current_term')).toBe(term);
  expect(await value('voted_for')).toBe(String(leader.id));
  expect(await value('leader_id')).toBe(String(leader.id));
  expect(Number(await value('heartbeats_sent'))).toBeGreaterThan(0);
  const logLast = await page.locator(`[data-log-node="${leader.id}"]`).getAttribute('data-last-index');
  expect(await value('log')).toBe(logLast);
  const commit = await page.locator(`[data-log-node="${leader.id}"]`).getAttribute('data-commit-index');
  expect(await value('commit_index')).toBe(commit);
  // One progress row per follower.
  await expect(inspector.locator('[data-field="progress"] tr[data-peer]')).toHaveCount(4);
  // Explanations show on the page, not only on hover.
  await expect(inspector.locator('.field-help')).toHaveCount(0);
  await page.getByTestId('explain-fields').click();
  await expect(inspector.locator('[data-field="current_term"] .field-help')).toContainText('latest term');
  // A follower has no progress table.
  const f = await aFollower(page);
  await selectNode(page, f);
  await expect(inspector.locator('[data-field="progress"]')).toHaveCount(0);
  expect(await value('leader_id')).toBe(String(leader.id));
});

test('why is it not committed: a restarted follower, then a leader cut off from its majority', async ({ page }) => {
  await page.goto('/');
  await setMaxSpeed(page);
  const leader = await waitForLeader(page);
  await pause(page);
  const f = await aFollower(page);
  await nodeAction(page, f, 'crash');
  await nodeAction(page, f, 'restart');
  const cell = page.locator(`[data-log-node="${f}"] button.cell.uncommitted`).first();
  await cell.focus();
  await page.keyboard.press('Enter');
  const why = page.getByTestId('why-not-committed');
  await expect(why).toHaveAttribute('data-reason', 'not-yet-known');
  await expect(why).toContainText(`The leader, Node ${leader.id}, has committed`);
  await page.keyboard.press('Escape');
  await expect(why).toHaveCount(0);
  await closePanels(page);

  // Cut the leader off and send a request, then step event by event (the paused run does
  // not reach an election timeout meanwhile): the leader appends the entry, which only it
  // has, and waits for a majority.
  await nodeAction(page, leader.id, 'partition');
  await page.getByTestId('client-a').fill('2');
  await page.getByTestId('client-b').fill('3');
  await page.getByTestId('client-submit').click();
  const leaderCells = page.locator(`[data-log-node="${leader.id}"] button.cell.uncommitted`);
  for (let i = 0; i < 300 && (await leaderCells.count()) === 0; i++) {
    await page.keyboard.press('.');
  }
  await leaderCells.last().click();
  await expect(why).toHaveAttribute('data-reason', 'no-majority');
  await expect(why).toContainText('is not on a majority yet');
  await expect(why).toContainText(`Stored on Node ${leader.id} (1 of the 5 voters`);
  await expect(why).toContainText('3 of the 5 voters');
});
