// End-to-end tests of log compaction and snapshots (§7 of the Raft paper, Figure 13), through
// the stable DOM contract:
//
//   settings  data-testid=snapshot-threshold: a select, off | 10 | 20 | 50 | 100 (entries)
//   log rows  .log-row[data-log-node=N] with data-last-index and data-commit-index
//   snapshot  [data-testid=snapshot] inside a log row, with data-last-index and data-last-term
//   menu      data-action=snapshot (Take snapshot now); the node panel's contents in
//             data-testid=node-snapshot
//   messages  [data-message-kind=install-snapshot]
//   refusals  data-testid=notice
import { test, expect } from './fixtures';
import type { Locator, Page } from '@playwright/test';
import { RAFT_TIMEOUT_MS, actionButton, nodeAction, readNodes, setMaxSpeed, waitForLeader } from './helpers';

const row = (page: Page, id: number): Locator => page.locator(`.log-row[data-log-node="${id}"]`);
const snapshotOf = (page: Page, id: number): Locator => row(page, id).getByTestId('snapshot');

async function numberAttr(l: Locator, name: string): Promise<number> {
  return Number((await l.getAttribute(name)) ?? 'NaN');
}

/** Sends one client request (a + b) from the client panel. */
async function submit(page: Page): Promise<void> {
  await page.getByTestId('client-a').fill('5');
  await page.getByTestId('client-b').fill('3');
  await page.getByTestId('client-submit').click();
}

test.describe('log compaction and snapshots', () => {
  test('a follower that missed compacted entries catches up through InstallSnapshot', async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto('/?seed=3&nodes=3');
    await expect(page.getByTestId('snapshot-threshold')).toHaveValue('off');
    await page.getByTestId('snapshot-threshold').selectOption('10');
    await setMaxSpeed(page);
    const leader = await waitForLeader(page);
    const follower = (await readNodes(page)).find((n) => n.id !== leader.id)!;
    for (let i = 0; i < 3; i++) await submit(page);
    await expect.poll(() => numberAttr(row(page, follower.id), 'data-last-index'), {
      timeout: RAFT_TIMEOUT_MS,
    }).toBeGreaterThanOrEqual(3);

    await nodeAction(page, follower.id, 'crash');
    await page.keyboard.press('Escape');
    const behind = await numberAttr(row(page, follower.id), 'data-last-index');

    // Keep committing until the leader has compacted past the crashed follower's last entry.
    await expect(async () => {
      await submit(page);
      const snap = snapshotOf(page, leader.id);
      await expect(snap).toHaveCount(1, { timeout: 1_000 });
      expect(await numberAttr(snap, 'data-last-index')).toBeGreaterThan(behind);
    }).toPass({ timeout: 60_000 });
    const leaderSnap = snapshotOf(page, leader.id);
    expect(await numberAttr(leaderSnap, 'data-last-term')).toBeGreaterThanOrEqual(1);

    // Slow down so the InstallSnapshot is in flight long enough to be seen, then restart.
    await page.getByTestId('speed').fill('350');
    await nodeAction(page, follower.id, 'restart');
    await expect(page.locator('[data-message-kind="install-snapshot"]').first()).toBeAttached({
      timeout: RAFT_TIMEOUT_MS,
    });
    await setMaxSpeed(page);

    // The follower installs it (its row gets a snapshot block) and catches up with the leader.
    await expect.poll(() => numberAttr(snapshotOf(page, follower.id), 'data-last-index'), {
      timeout: RAFT_TIMEOUT_MS,
    }).toBeGreaterThan(behind);
    const leaderLast = await numberAttr(row(page, leader.id), 'data-last-index');
    await expect.poll(() => numberAttr(row(page, follower.id), 'data-last-index'), {
      timeout: RAFT_TIMEOUT_MS,
    }).toBeGreaterThanOrEqual(leaderLast);
    await expect(page.getByTestId('safety')).toHaveAttribute('data-safety', 'ok');
  });

  test('Take snapshot now compacts one node; with nothing new applied it is refused', async ({ page }) => {
    await page.goto('/?seed=3&nodes=3');
    await setMaxSpeed(page);
    const leader = await waitForLeader(page);
    await expect(page.locator('.log-caption')).toContainText('has committed up to index', {
      timeout: RAFT_TIMEOUT_MS,
    });
    await expect(page.getByTestId('snapshot')).toHaveCount(0);

    await nodeAction(page, leader.id, 'snapshot');
    const snap = snapshotOf(page, leader.id);
    await expect(snap).toHaveCount(1);
    const index = await numberAttr(snap, 'data-last-index');
    expect(index).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('node-snapshot')).toContainText(`index ${index}, term`);
    await expect(page.getByTestId('notice')).toHaveCount(0);

    // Nothing applied since: the button is disabled and says why; the key is refused with a notice.
    await expect(actionButton(page, 'snapshot')).toBeDisabled();
    await expect(actionButton(page, 'snapshot')).toHaveAttribute('title', /nothing to compact/);
    await page.keyboard.press('s');
    await expect(page.getByTestId('notice')).toContainText('nothing to compact');
    await expect(snapshotOf(page, leader.id)).toHaveAttribute('data-last-index', String(index));
  });
});
