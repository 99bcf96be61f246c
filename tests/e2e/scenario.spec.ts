// Guided scenarios in the app: the menu, the narration panel, predictions revealed from the
// run, Back/Next in a fixed place, and a walk through a scenario with the keyboard alone.
//
//   panel     data-testid="scenario" with data-scenario-id, data-step (from 1), data-steps,
//             data-on-script (false once the reader changed the run)
//   question  data-testid="scenario-question"; choices data-choice="k" (from 0), data-held
//             after the reveal
//   buttons   scenario-back, scenario-reveal, scenario-next, scenario-exit, scenario-menu
//   verdict   data-testid="scenario-verdict" with data-correct="true|false"
import * as path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { nodeAction, nodeById } from './helpers';

const panel = (page: Page): Locator => page.getByTestId('scenario');

/** Presses Tab until `target` has the focus (at most `max` presses). */
async function tabTo(page: Page, target: Locator, max = 150): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement))) {
      return;
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

async function box(l: Locator): Promise<{ x: number; y: number; w: number; h: number }> {
  const b = await l.boundingBox();
  if (!b) throw new Error('not visible');
  return { x: Math.round(b.x), y: Math.round(b.y), w: Math.round(b.width), h: Math.round(b.height) };
}

test.describe('guided scenarios', () => {
  test('a walk through a scenario with Tab, Enter and Space only', async ({ page }, testInfo) => {
    await page.goto('/');
    await expect(page.locator('svg [data-node-id]')).toHaveCount(5);

    // Open the menu and start "The first election".
    await tabTo(page, page.getByTestId('scenario-menu'));
    await page.keyboard.press('Enter');
    const item = page.locator('.scenario-list [data-scenario-id="first-election"]');
    await tabTo(page, item);
    await page.keyboard.press('Enter');
    await expect(panel(page)).toHaveAttribute('data-scenario-id', 'first-election');
    await expect(panel(page)).toHaveAttribute('data-step', '1');
    await expect(panel(page)).toHaveAttribute('data-steps', '2');
    await expect(page).toHaveURL(/scenario=first-election/);
    // The step asks a question: the run waits for the prediction.
    await expect(page.getByTestId('play-pause')).toContainText('Play');
    await expect(page.getByTestId('scenario-reveal')).toBeDisabled();

    // Predict with the keyboard: Tab into the choices, Space picks the focused one (Node 1).
    const first = page.locator('[data-choice="0"] input');
    await tabTo(page, first);
    await page.keyboard.press('Space');
    await expect(first).toBeChecked();
    await expect(page.getByTestId('scenario-reveal')).toBeEnabled();
    await page.screenshot({ path: path.join(testInfo.project.outputDir, 'scenario-question.png') });

    // Reveal: the run goes to the answer's moment, and the verdict comes from the run.
    await tabTo(page, page.getByTestId('scenario-reveal'));
    await page.keyboard.press('Enter');
    const verdict = page.getByTestId('scenario-verdict');
    await expect(verdict).toHaveAttribute('data-correct', 'false');
    await expect(verdict).toBeFocused();
    await expect(page.locator('.app')).toHaveAttribute('data-virtual-time-ms', '40000');
    await expect(page.locator('[data-choice="1"]')).toHaveAttribute('data-held', 'true');
    await expect(page.locator('[data-choice="0"]')).toHaveAttribute('data-held', 'false');
    // What the drawing shows agrees: Node 2 leads.
    await expect(nodeById(page, 2)).toHaveAttribute('data-role', 'leader');
    await page.screenshot({ path: path.join(testInfo.project.outputDir, 'scenario-verdict.png') });

    // Next, then Back.
    await tabTo(page, page.getByTestId('scenario-next'));
    await page.keyboard.press('Enter');
    await expect(panel(page)).toHaveAttribute('data-step', '2');
    await expect(page.getByTestId('scenario-next')).toBeDisabled();
    await tabTo(page, page.getByTestId('scenario-back'));
    await page.keyboard.press('Enter');
    await expect(panel(page)).toHaveAttribute('data-step', '1');
    await expect(page.locator('.app')).toHaveAttribute('data-virtual-time-ms', '0');
    await expect(page.getByTestId('scenario-verdict')).toHaveCount(0);

    // Exit keeps the run and closes the panel.
    await tabTo(page, page.getByTestId('scenario-exit'));
    await page.keyboard.press('Enter');
    await expect(panel(page)).toHaveCount(0);
    await expect(page).not.toHaveURL(/scenario=/);
  });

  test('Back and Next stay in place whatever the step says', async ({ page }) => {
    await page.goto('/?scenario=figure-8');
    await expect(panel(page)).toHaveAttribute('data-steps', '11');
    const next = page.getByTestId('scenario-next');
    const back = page.getByTestId('scenario-back');
    const places = new Set<string>();
    for (let step = 1; step <= 11; step++) {
      await expect(panel(page)).toHaveAttribute('data-step', String(step));
      places.add(JSON.stringify([await box(next), await box(back)]));
      const question = page.getByTestId('scenario-question');
      if ((await question.count()) > 0) {
        await page.locator('[data-choice="0"]').click();
        await page.getByTestId('scenario-reveal').click();
        await expect(page.getByTestId('scenario-verdict')).toBeVisible();
        places.add(JSON.stringify([await box(next), await box(back)]));
      }
      if (step < 11) await next.click();
    }
    expect([...places], 'one place for Back and Next on every step').toHaveLength(1);
  });

  test('the answer comes from the run: a right prediction is judged right', async ({ page }) => {
    await page.goto('/?scenario=split-vote');
    await expect(panel(page)).toHaveAttribute('data-step', '1');
    await page.locator('[data-choice="2"]').click(); // "Neither"
    await page.getByTestId('scenario-reveal').click();
    await expect(page.getByTestId('scenario-verdict')).toHaveAttribute('data-correct', 'true');
    // No leader in the drawing either.
    await expect(page.locator('svg [data-role="leader"]')).toHaveCount(0);
    await page.getByTestId('scenario-next').click();
    await expect(panel(page)).toHaveAttribute('data-step', '2');
    await expect(page.getByTestId('scenario-verdict')).toHaveCount(0);
    await expect(page.locator('[data-choice] input:checked')).toHaveCount(0);
  });

  test('between steps the run plays and stops where the next step begins', async ({ page }) => {
    await page.goto('/?scenario=leader-crash');
    await expect(panel(page)).toHaveAttribute('data-step', '1');
    await expect(nodeById(page, 2)).toHaveAttribute('data-status', 'crashed');
    // Step 1 (40 s) has no question: it plays on to step 2 (41 s) and stops there.
    await expect(page.getByTestId('play-pause')).toContainText('Play', { timeout: 10_000 });
    await expect(page.locator('.app')).toHaveAttribute('data-virtual-time-ms', '41000');
    await expect(page.getByTestId('scenario-status')).toHaveAttribute('data-status', 'at-step');
  });

  test('acting in the middle of a scenario is said, and Next returns to the scenario', async ({ page }) => {
    await page.goto('/?scenario=stale-leader');
    await expect(panel(page)).toHaveAttribute('data-on-script', 'true');
    await page.getByTestId('play-pause').click();
    await nodeAction(page, 3, 'crash');
    await expect(panel(page)).toHaveAttribute('data-on-script', 'false');
    await expect(page.getByTestId('scenario-status')).toHaveAttribute('data-status', 'off-script');
    await page.getByTestId('scenario-next').click();
    await expect(panel(page)).toHaveAttribute('data-step', '2');
    await expect(panel(page)).toHaveAttribute('data-on-script', 'true');
    await expect(nodeById(page, 3)).toHaveAttribute('data-status', 'up');
  });

  test('an unknown scenario in the URL is reported and the normal run starts', async ({ page }) => {
    await page.goto('/?scenario=no-such-thing');
    await expect(page.getByTestId('url-error')).toContainText('no-such-thing');
    await expect(panel(page)).toHaveCount(0);
    await expect(page.locator('svg [data-node-id]')).toHaveCount(5);
  });
});
