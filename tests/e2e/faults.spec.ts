// End-to-end tests of network faults, through the stable DOM contract:
//
//   links     every link between two nodes has data-link="A-B" (A < B) and data-link-state
//             (up | cut | cut-a-b | cut-b-a | lossy); clicking one opens its inspector, whose
//             buttons have data-action = link-up | link-cut | link-cut-a-b | link-cut-b-a
//   nodes     data-status = up | paused | crashed; node menu data-action adds
//             pause | resume | partition | heal-all | transfer-leader
//   messages  a dropped message is drawn with data-message-fate="dropped" while it fades;
//             clicking a message in flight pauses the run and opens data-testid=message-inspector
//             with data-action = drop-message | duplicate-message
//   network   data-testid = preset, apply-preset, heal-all, partition-group, loss,
//             duplication, latency-min, latency-max, pre-vote, check-quorum (checkboxes);
//             refusals show data-testid=notice
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import {
  RAFT_TIMEOUT_MS,
  nodeAction,
  nodeById,
  readNodes,
  setMaxSpeed,
  waitForLeader,
} from './helpers';

const link = (page: Page, a: number, b: number) =>
  page.locator(`[data-link="${Math.min(a, b)}-${Math.max(a, b)}"]`);

/** Opens the inspector of link a-b (a message flying over the link may take a click: retry). */
async function openLink(page: Page, a: number, b: number): Promise<void> {
  await expect(async () => {
    if (!(await page.getByTestId('link-inspector').isVisible())) {
      await link(page, a, b).click({ force: true, timeout: 2_000 });
    }
    await expect(page.getByTestId('link-inspector')).toContainText(`Node ${a}`, { timeout: 2_000 });
  }).toPass({ timeout: 15_000 });
}

test.describe('network faults', () => {
  test('partitioning the leader and a follower away: the majority elects a new leader; heal deposes the old one', async ({ page }) => {
    await page.goto('/?seed=3&nodes=5');
    await setMaxSpeed(page);
    const old = await waitForLeader(page);
    const follower = (await readNodes(page)).find((n) => n.id !== old.id)!;

    // Shift-click the two nodes into a group, then partition them away.
    await nodeById(page, old.id).click({ modifiers: ['Shift'], force: true });
    await nodeById(page, follower.id).click({ modifiers: ['Shift'], force: true });
    await expect(page.getByTestId('group')).toContainText(`Node ${Math.min(old.id, follower.id)}`);
    await page.getByTestId('partition-group').click();

    // Every link between the two sides is drawn cut; links inside a side are up.
    const minority = [old.id, follower.id];
    for (let a = 1; a <= 5; a++) {
      for (let b = a + 1; b <= 5; b++) {
        const across = minority.includes(a) !== minority.includes(b);
        await expect(link(page, a, b)).toHaveAttribute('data-link-state', across ? 'cut' : 'up');
      }
    }

    // The majority side elects a leader of a higher term; the old leader still believes it leads.
    const next = await waitForLeader(page, (n) => !minority.includes(n.id) && n.term > old.term);
    await expect(nodeById(page, old.id)).toHaveAttribute('data-role', 'leader');

    // Heal: the old leader hears the higher term and steps down.
    await page.getByTestId('heal-all').click();
    await expect(link(page, old.id, follower.id)).toHaveAttribute('data-link-state', 'up');
    await expect(nodeById(page, old.id)).not.toHaveAttribute('data-role', 'leader', { timeout: RAFT_TIMEOUT_MS });
    await expect
      .poll(async () => Number(await nodeById(page, old.id).getAttribute('data-term')), { timeout: RAFT_TIMEOUT_MS })
      .toBeGreaterThanOrEqual(next.term);
  });

  test('a link can be cut one way, both ways, and restored from its inspector', async ({ page }) => {
    await page.goto('/?seed=1&nodes=5');
    await expect(link(page, 1, 3)).toHaveAttribute('data-link-state', 'up');
    await openLink(page, 1, 3);

    await page.locator('[data-action="link-cut-a-b"]').click();
    await expect(link(page, 1, 3)).toHaveAttribute('data-link-state', 'cut-a-b');
    await page.locator('[data-action="link-cut-b-a"]').click();
    await expect(link(page, 1, 3)).toHaveAttribute('data-link-state', 'cut-b-a');
    await page.locator('[data-action="link-cut"]').click();
    await expect(link(page, 1, 3)).toHaveAttribute('data-link-state', 'cut');
    await expect(page.getByTestId('event-log')).toContainText('Link from Node 1 to Node 3 cut');

    await page.getByTestId('link-loss').selectOption('50');
    await page.locator('[data-action="link-up"]').click();
    await expect(link(page, 1, 3)).toHaveAttribute('data-link-state', 'lossy');
    await page.getByTestId('heal-all').click();
    await expect(link(page, 1, 3)).toHaveAttribute('data-link-state', 'up');
  });

  test('a paused node keeps its state and resumes', async ({ page }) => {
    await page.goto('/?seed=2&nodes=5');
    await setMaxSpeed(page);
    await waitForLeader(page);
    await nodeAction(page, 4, 'pause');
    await expect(nodeById(page, 4)).toHaveAttribute('data-status', 'paused');
    const term = await nodeById(page, 4).getAttribute('data-term');
    await page.waitForTimeout(1_500);
    await expect(nodeById(page, 4)).toHaveAttribute('data-term', term ?? '');
    await nodeAction(page, 4, 'resume');
    await expect(nodeById(page, 4)).toHaveAttribute('data-status', 'up');
  });

  test('with 100% loss, messages are drawn dropped and no leader is elected', async ({ page }) => {
    await page.goto('/?seed=5&nodes=3');
    await page.getByTestId('loss').fill('100');
    await setMaxSpeed(page);
    await expect(page.locator('[data-message-fate="dropped"]').first()).toBeAttached({ timeout: RAFT_TIMEOUT_MS });
    await page.waitForTimeout(2_000);
    expect((await readNodes(page)).filter((n) => n.role === 'leader')).toEqual([]);
  });

  test('clicking a message pauses the run, shows its fields, and drop removes it', async ({ page }) => {
    await page.goto('/?seed=1&nodes=5');
    await waitForLeader(page);
    await expect(async () => {
      if (!(await page.getByTestId('message-inspector').isVisible())) {
        await page.locator('[data-message-id]').first().click({ force: true, timeout: 2_000 });
      }
      await expect(page.getByTestId('message-inspector')).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: RAFT_TIMEOUT_MS });
    await expect(page.getByTestId('message-inspector')).toContainText('term');
    const id = await page.getByTestId('message-inspector').locator('strong').textContent();
    const mid = /message (\d+)/.exec(id ?? '')?.[1];
    expect(mid).toBeDefined();
    await expect(page.locator(`[data-message-id="${mid}"]`)).toHaveCount(1);
    await page.locator('[data-action="drop-message"]').click();
    await expect(page.locator(`[data-message-id="${mid}"]`)).toHaveCount(0);
    // The inspector keeps the message's kind and says what became of it.
    await expect(page.getByTestId('message-inspector').locator('strong')).toHaveText(id ?? '');
    await expect(page.getByTestId('message-inspector')).toContainText('you dropped it');
    await expect(page.locator('[data-message-fate="dropped"]').first()).toBeAttached();
  });

  test('impossible network settings are refused with a message and change nothing', async ({ page }) => {
    await page.goto('/?seed=1&nodes=5');
    await page.getByTestId('latency-min').fill('5000');
    await page.getByTestId('latency-min').blur();
    await expect(page.getByTestId('notice')).toContainText(/the minimum latency \(5000 ms\) is above the maximum \(2400 ms\)/);
    // The run goes on with the old settings: a leader is still elected.
    await setMaxSpeed(page);
    await waitForLeader(page);
    await expect(page.getByTestId('latency-max')).toHaveValue('2400');
    await expect(page.getByTestId('latency-min')).toHaveValue('1800');
  });

  test('"make leader" hands leadership to the chosen follower', async ({ page }) => {
    await page.goto('/?seed=4&nodes=5');
    await setMaxSpeed(page);
    const old = await waitForLeader(page);
    const target = (await readNodes(page)).find((n) => n.id !== old.id)!;
    await nodeAction(page, target.id, 'transfer-leader');
    await waitForLeader(page, (n) => n.id === target.id && n.term > old.term);
    await expect(page.getByTestId('event-log')).toContainText(`Node ${target.id} won election`);
  });

  test('the guards can be switched on, and with them the isolated-leader preset shows a step-down', async ({ page }) => {
    await page.goto('/?seed=1&nodes=5');
    await page.getByTestId('pre-vote').check();
    await page.getByTestId('check-quorum').check();
    await expect(page.getByTestId('event-log')).toContainText('Liveness guards set: PreVote on, CheckQuorum on');
    await setMaxSpeed(page);
    const old = await waitForLeader(page);
    await page.getByTestId('preset').selectOption('isolate-leader');
    await page.getByTestId('apply-preset').click();
    // CheckQuorum: the cut-off leader gives up within an election timeout.
    await expect(nodeById(page, old.id)).not.toHaveAttribute('data-role', 'leader', { timeout: RAFT_TIMEOUT_MS });
    await expect(page.getByTestId('event-log')).toContainText(
      new RegExp(`Leader ${old.id} heard only from \\{[\\d,]*\\} in the last \\d+ ms, stepping down`),
    );
  });

  test('the safety badge says OK through a partition and a heal', async ({ page }) => {
    await page.goto('/?seed=2&nodes=5');
    await setMaxSpeed(page);
    const old = await waitForLeader(page);
    await expect(page.getByTestId('safety')).toHaveText('safety: OK');
    await page.getByTestId('preset').selectOption('isolate-leader');
    await page.getByTestId('apply-preset').click();
    await waitForLeader(page, (n) => n.id !== old.id && n.term > old.term);
    await page.getByTestId('heal-all').click();
    await expect(nodeById(page, old.id)).not.toHaveAttribute('data-role', 'leader', { timeout: RAFT_TIMEOUT_MS });
    await expect(page.getByTestId('safety')).toHaveAttribute('data-safety', 'ok');
    await expect(page.getByTestId('safety-detail')).toHaveCount(0);
  });

  test('with a node\'s actions open, the network bar still takes clicks (partition away, then heal)', async ({ page }) => {
    await page.goto('/?seed=1&nodes=5');
    await nodeAction(page, 2, 'partition');
    await expect(link(page, 1, 2)).toHaveAttribute('data-link-state', 'cut');
    // The node's actions stay open beside the drawing; Heal all is pressed right away.
    await expect(page.locator('[data-action="partition"]')).toBeVisible();
    await page.getByTestId('heal-all').click();
    await expect(link(page, 1, 2)).toHaveAttribute('data-link-state', 'up');
  });

  test('a group holding every node cannot be partitioned away, and the app says why', async ({ page }) => {
    await page.goto('/?seed=1&nodes=3');
    for (const id of [1, 2, 3]) await nodeById(page, id).click({ modifiers: ['Shift'], force: true });
    await page.getByTestId('partition-group').click();
    await expect(page.getByTestId('notice')).toContainText('a partition needs nodes on both sides');
    await expect(link(page, 1, 2)).toHaveAttribute('data-link-state', 'up');
  });
});
