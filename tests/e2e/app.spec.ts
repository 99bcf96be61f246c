// End-to-end tests of the raftlab app, written against its stable DOM contract:
//
//   nodes     an SVG element per node with data-node-id (1..N), data-role
//             (follower|candidate|leader), data-status (up|crashed), data-term
//   messages  every message in flight has data-message-kind
//   actions   clicking a node opens its actions: buttons with
//             data-action = crash | restart | timeout
//   test ids  event-log, client-a, client-b (numeric text inputs), client-submit,
//             client-summary, play-pause, speed (range input), reset
//   URL       ?seed=N&nodes=K starts that run (K in 3..9); bad values show a
//             visible message and fall back to the defaults (5 nodes)
//
// Every test also fails on any console error or page error (./fixtures.ts).
import * as path from 'node:path';
import { test, expect } from './fixtures';
import {
  RAFT_TIMEOUT_MS,
  nodeAction,
  nodeById,
  nodeLocator,
  readNodes,
  setMaxSpeed,
  upLeaders,
  waitForLeader,
} from './helpers';

test.describe('raftlab app', () => {
  test('loads without console errors or page errors', async ({ page, pageErrors }) => {
    await page.goto('/');
    await expect(nodeLocator(page)).toHaveCount(5);
    // Let the simulation run for a while: errors may come from the animation loop.
    await page.waitForTimeout(3_000);
    expect(pageErrors).toEqual([]);
  });

  test('renders 5 nodes by default, each with the data attributes of the contract', async ({ page }) => {
    await page.goto('/');
    await expect(nodeLocator(page)).toHaveCount(5);
    const nodes = await readNodes(page);
    expect(nodes.map((n) => n.id).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    for (const n of nodes) {
      expect(['follower', 'candidate', 'leader']).toContain(n.role);
      expect(n.status).toBe('up');
      expect(Number.isInteger(n.term) && n.term >= 0, `node ${n.id} has an integer term`).toBe(true);
    }
  });

  test('?nodes=3 and ?nodes=9 set the cluster size', async ({ page }) => {
    await page.goto('/?seed=7&nodes=3');
    await expect(nodeLocator(page)).toHaveCount(3);
    expect((await readNodes(page)).map((n) => n.id).sort((a, b) => a - b)).toEqual([1, 2, 3]);

    await page.goto('/?seed=7&nodes=9');
    await expect(nodeLocator(page)).toHaveCount(9);
  });

  test('has the controls of the contract', async ({ page }) => {
    await page.goto('/');
    // The log and the summary may be empty (zero-sized) at first: attached is enough.
    await expect(page.getByTestId('event-log')).toBeAttached();
    await expect(page.getByTestId('client-a')).toHaveAttribute('inputmode', 'numeric');
    await expect(page.getByTestId('client-b')).toHaveAttribute('inputmode', 'numeric');
    await expect(page.getByTestId('client-submit')).toBeVisible();
    await expect(page.getByTestId('client-summary')).toBeAttached();
    await expect(page.getByTestId('play-pause')).toBeVisible();
    await expect(page.getByTestId('speed')).toHaveAttribute('type', 'range');
    await expect(page.getByTestId('reset')).toBeVisible();
  });

  test('a leader is elected, messages fly, and the log says so', async ({ page }, testInfo) => {
    await page.goto('/');
    const leader = await waitForLeader(page);
    expect(leader.term).toBeGreaterThan(0);

    // Election safety, as far as the UI shows it: at most one leader per term.
    const leaders = await upLeaders(page);
    expect(new Set(leaders.map((l) => l.term)).size).toBe(leaders.length);

    // Heartbeats (or votes) are drawn as messages in flight.
    await expect
      .poll(() => page.locator('[data-message-kind]').count(), { timeout: RAFT_TIMEOUT_MS })
      .toBeGreaterThan(0);
    const kind = await page.locator('[data-message-kind]').first().getAttribute('data-message-kind');
    expect(kind ?? '').not.toBe('');

    await expect(page.getByTestId('event-log')).toContainText(
      /\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] - INFO - Node \d+ won election, becoming leader/,
    );
    await page.screenshot({ path: path.join(testInfo.project.outputDir, 'app-leader.png'), fullPage: true });
  });

  test('clicking a node and choosing crash marks it crashed; restart brings it back', async ({ page }) => {
    await page.goto('/');
    await expect(nodeLocator(page)).toHaveCount(5);

    await nodeAction(page, 2, 'crash');
    await expect(nodeById(page, 2)).toHaveAttribute('data-status', 'crashed');

    await nodeAction(page, 2, 'restart');
    await expect(nodeById(page, 2)).toHaveAttribute('data-status', 'up');
  });

  test('crashing the leader elects a new leader with a higher term', async ({ page }) => {
    await page.goto('/');
    await setMaxSpeed(page);
    const old = await waitForLeader(page);

    await nodeAction(page, old.id, 'crash');
    await expect(nodeById(page, old.id)).toHaveAttribute('data-status', 'crashed');

    const next = await waitForLeader(page, (n) => n.id !== old.id && n.term > old.term);
    expect(next.id).not.toBe(old.id);
    expect(next.term).toBeGreaterThan(old.term);
  });

  test('a client operation 5 + 3 is performed and reported', async ({ page }) => {
    await page.goto('/');
    await waitForLeader(page);

    await page.getByTestId('client-a').fill('5');
    await page.getByTestId('client-b').fill('3');
    await page.getByTestId('client-submit').click();

    const summary = page.getByTestId('client-summary');
    await expect(summary).toContainText('Result: 5 + 3 = 8', { timeout: RAFT_TIMEOUT_MS });
    await expect(summary).toContainText(/Leader: Node \d+, Operation performed on: Node \d+, Result: 5 \+ 3 = 8/);
  });

  test('register operations from two clients: history bars and the linearizability verdict', async ({ page }) => {
    await page.goto('/');
    await waitForLeader(page);

    await page.getByTestId('client-op').selectOption('set');
    await page.getByTestId('client-b').fill('7');
    await page.getByTestId('client-submit').click();
    const summary = page.getByTestId('client-summary');
    await expect(summary).toContainText('Result: r := 7', { timeout: RAFT_TIMEOUT_MS });

    // The next operation comes from client 2.
    await expect(page.getByTestId('client-id')).toHaveText('C2');
    await page.getByTestId('client-op').selectOption('mul');
    await page.getByTestId('client-b').fill('6');
    await page.getByTestId('client-submit').click();
    await expect(summary).toContainText('Result: r * 6 = 42', { timeout: RAFT_TIMEOUT_MS });

    const bars = page.getByTestId('history').locator('rect');
    await expect(bars).toHaveCount(2);
    await expect(bars.nth(0)).toHaveAttribute('data-outcome', 'ok');
    await expect(bars.nth(1)).toHaveAttribute('data-outcome', 'ok');
    await expect(page.getByTestId('linearizability')).toHaveText('linearizable');
  });

  test('bad URL parameters show a message and fall back to 5 nodes', async ({ page }) => {
    await page.goto('/?seed=abc&nodes=99');
    await expect(nodeLocator(page)).toHaveCount(5);
    // The contract only says "a visible message": accept the usual wordings.
    const message = page
      .getByText(/invalid|ignored|not valid|not a (valid )?(number|integer)|out of range|must be|using default|fall(ing)? back/i)
      .filter({ visible: true })
      .first();
    await expect(message).toBeVisible();
    // The run still works with the defaults.
    await waitForLeader(page);
  });

  test('pausing freezes the simulation', async ({ page }) => {
    await page.goto('/');
    await waitForLeader(page);
    await page.getByTestId('play-pause').click();
    // Let the last frame settle, then nothing may change while paused.
    await page.waitForTimeout(300);
    const before = await readNodes(page);
    const logBefore = await page.getByTestId('event-log').textContent();
    await page.waitForTimeout(2_000);
    expect(await readNodes(page)).toEqual(before);
    expect(await page.getByTestId('event-log').textContent()).toBe(logBefore);
  });
});
