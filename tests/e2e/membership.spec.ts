// End-to-end tests of membership changes (dissertation §4.1–§4.2), through the stable DOM
// contract:
//
//   cluster   the "Add node" button has data-action="add-node"
//   nodes     data-config = voter ids of the configuration the node uses, sorted, comma-separated;
//             a learner (or a node still joining) has data-role="learner"; a removed node has
//             data-status="removed"; data-member = voter | learner | joining | removed
//   menu      data-action = remove (Remove from cluster) | dismiss (removed nodes only)
//   refusals  data-testid=notice
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import {
  RAFT_TIMEOUT_MS,
  actionButton,
  nodeAction,
  nodeById,
  nodeLocator,
  readNodes,
  setMaxSpeed,
  waitForLeader,
} from './helpers';

/** Waits until the leader has committed an entry of its own term (membership changes wait for it). */
async function waitForCommit(page: Page): Promise<void> {
  await expect(page.locator('.log-caption')).toContainText('has committed up to index', {
    timeout: RAFT_TIMEOUT_MS,
  });
}

test.describe('membership changes', () => {
  test('an added node joins as a learner, catches up, then becomes a voter', async ({ page }) => {
    // Default speed: at 100x the learner's catch-up is over within one poll.
    await page.goto('/?seed=3&nodes=3');
    const leader = await waitForLeader(page);
    await waitForCommit(page);
    await expect(nodeById(page, leader.id)).toHaveAttribute('data-config', '1,2,3');

    await page.locator('[data-action="add-node"]').click();
    const added = nodeById(page, 4);
    await expect(added).toHaveCount(1);
    await expect(added).toHaveAttribute('data-role', 'learner');
    await expect(page.getByTestId('status-line')).toContainText('3 voters, majority 2 + 1 learner', {
      timeout: RAFT_TIMEOUT_MS,
    });

    // Promoted: a voter in the leader's configuration, and in its own once it has the entry.
    await expect(added).not.toHaveAttribute('data-role', 'learner', { timeout: RAFT_TIMEOUT_MS });
    await expect(added).toHaveAttribute('data-member', 'voter');
    await expect(nodeById(page, leader.id)).toHaveAttribute('data-config', '1,2,3,4');
    await expect(added).toHaveAttribute('data-config', '1,2,3,4', { timeout: RAFT_TIMEOUT_MS });
    await expect(page.getByTestId('status-line')).toContainText('4 voters, majority 3');
  });

  test('a removed follower is drawn as removed until dismissed', async ({ page }) => {
    await page.goto('/?seed=3&nodes=5');
    await setMaxSpeed(page);
    const leader = await waitForLeader(page);
    await waitForCommit(page);
    const follower = (await readNodes(page)).find((n) => n.id !== leader.id)!;
    const rest = [1, 2, 3, 4, 5].filter((id) => id !== follower.id).join(',');

    await nodeAction(page, follower.id, 'remove');
    await expect(nodeById(page, follower.id)).toHaveAttribute('data-status', 'removed', {
      timeout: RAFT_TIMEOUT_MS,
    });
    await expect(nodeById(page, leader.id)).toHaveAttribute('data-config', rest);
    await expect(page.getByTestId('status-line')).toContainText('4 voters, majority 3');
    // The removed node cannot be removed again, but can be dismissed.
    await expect(actionButton(page, 'remove')).toBeDisabled();
    await actionButton(page, 'dismiss').click();
    await expect(nodeById(page, follower.id)).toHaveCount(0);
    await expect(nodeLocator(page)).toHaveCount(4);
  });

  test('removing the leader: it steps down and the others elect a new leader', async ({ page }) => {
    await page.goto('/?seed=3&nodes=5');
    await setMaxSpeed(page);
    const old = await waitForLeader(page);
    await waitForCommit(page);
    const rest = [1, 2, 3, 4, 5].filter((id) => id !== old.id).join(',');

    await nodeAction(page, old.id, 'remove');
    await expect(nodeById(page, old.id)).toHaveAttribute('data-status', 'removed', {
      timeout: RAFT_TIMEOUT_MS,
    });
    // A removed node's status is "removed", so waitForLeader only finds running members.
    const next = await waitForLeader(page, (n) => n.id !== old.id);
    await expect(nodeById(page, next.id)).toHaveAttribute('data-config', rest);
    await expect(nodeById(page, old.id)).not.toHaveAttribute('data-role', 'leader', {
      timeout: RAFT_TIMEOUT_MS,
    });
  });

  test('refused changes leave the run as it was and say why', async ({ page }) => {
    // No leader yet: nobody can change the configuration.
    await page.goto('/?seed=3&nodes=3');
    await page.getByTestId('play-pause').click();
    await nodeAction(page, 2, 'remove');
    await expect(page.getByTestId('notice')).toContainText('there is no leader right now');
    await expect(nodeById(page, 2)).toHaveAttribute('data-status', 'up');

    // A second change while the first is uncommitted: refused.
    await page.getByTestId('play-pause').click();
    await setMaxSpeed(page);
    const leader = await waitForLeader(page);
    await waitForCommit(page);
    await page.getByTestId('play-pause').click();
    const [a, b] = (await readNodes(page)).filter((n) => n.id !== leader.id);
    // Escape closes the open menu, so that the next node's own buttons are the visible ones.
    await page.keyboard.press('Escape');
    await nodeAction(page, a.id, 'remove');
    await page.keyboard.press('Escape');
    await nodeAction(page, b.id, 'remove');
    await expect(page.getByTestId('notice')).toContainText('the leader refused the membership change: busy');
    await expect(nodeById(page, b.id)).toHaveAttribute('data-member', 'voter');

    // Nine voters: no room for another.
    await page.goto('/?seed=3&nodes=9');
    await page.locator('[data-action="add-node"]').click();
    await expect(page.getByTestId('notice')).toContainText('the cluster already has 9 voters');
    await expect(nodeLocator(page)).toHaveCount(9);
  });
});
