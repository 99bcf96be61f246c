// End-to-end test of the space-time diagram, through its DOM contract:
//
//   panel   data-testid=spacetime (a Hide/Show button toggles the svg)
//   lanes   [data-lane-node=N], one per node
//   spans   rect[data-span=leader|crashed]
//   arrows  line.st-arrow[data-message-kind=...]
//   marks   [data-mark=election|leader|commit|crash|restart]
import { test, expect } from './fixtures';
import { nodeAction, waitForLeader } from './helpers';

test('the space-time diagram shows a lane per node, the leader and the election messages', async ({ page }) => {
  await page.goto('/?seed=1&nodes=5');
  // At the default speed (6x) the 20-second window spans about 3 seconds of wall time: the
  // election is still in it when the leader is seen.
  const leader = await waitForLeader(page);
  // Paused, so the 20-second window does not slide while the test reads it.
  await page.getByTestId('play-pause').click();
  const panel = page.getByTestId('spacetime');
  await expect(panel.locator('[data-lane-node]')).toHaveCount(5);
  await expect(panel.locator('[data-mark=leader]').first()).toBeAttached();
  await expect(panel.locator('line.st-arrow[data-message-kind=request-vote]').first()).toBeAttached();
  // The leader's stretch sits on its lane.
  const laneY = await panel.locator(`[data-lane-node="${leader.id}"] line`).getAttribute('y1');
  const spans = panel.locator('rect[data-span=leader]');
  await expect(spans.first()).toBeAttached();
  const ys = await spans.evaluateAll((els) =>
    els.map((el) => Number(el.getAttribute('y')) + Number(el.getAttribute('height')) / 2),
  );
  expect(ys).toContain(Number(laneY));
  // Crashing the leader ends its stretch with a crash mark and a crashed stretch.
  await nodeAction(page, leader.id, 'crash');
  await expect(panel.locator('[data-mark=crash]')).toHaveCount(1);
  // The crashed stretch grows from the crash as time passes.
  for (let i = 0; i < 3; i++) await page.getByTestId('step-forward').click();
  await expect(panel.locator('rect[data-span=crashed]')).toHaveCount(1);
  // Hide removes the drawing; Show brings it back.
  await panel.getByRole('button', { name: 'Hide' }).click();
  await expect(panel.locator('svg')).toHaveCount(0);
  await panel.getByRole('button', { name: 'Show' }).click();
  await expect(panel.locator('[data-lane-node]')).toHaveCount(5);
});
