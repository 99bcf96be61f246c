// Time travel, scene links, export/import and the saved session, through the app's stable
// attributes:
//
//   app root    data-virtual-time-ms (the moment shown)
//   test ids    timeline (range input over 0..=end of the recording, in virtual ms),
//               step-back, step-forward, in-past, copy-link (+ link-copied with data-link,
//               or the copy-link-fallback text field when the clipboard is refused),
//               export, import (a <label> around the file input: setInputFiles works on it),
//               session-resumed + start-fresh, notice, url-error
//   nodes       data-node-id, data-role, data-status, data-term; log rows data-log-node,
//               data-last-index, data-commit-index; messages data-message-kind
import * as fs from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { RAFT_TIMEOUT_MS, nodeAction, nodeLocator, readNodes, setMaxSpeed, waitForLeader } from './helpers';

/** Everything the screen shows of a moment, read in one go. */
async function picture(page: Page) {
  return page.evaluate(() => {
    const attrs = (sel: string, names: string[]) =>
      [...document.querySelectorAll(sel)].map((el) => names.map((n) => el.getAttribute(n)).join('/'));
    return {
      t: document.querySelector('.app')?.getAttribute('data-virtual-time-ms'),
      nodes: attrs('svg [data-node-id]', ['data-node-id', 'data-role', 'data-status', 'data-term', 'data-config']),
      logs: attrs('[data-log-node]', ['data-log-node', 'data-last-index', 'data-commit-index']),
      // Messages in flight (recently dropped ones stay drawn for a wall-clock while, which
      // depends on the speed, so they are left out).
      messages: document.querySelectorAll('svg [data-message-kind]:not([data-message-fate])').length,
    };
  });
}

const appRoot = (page: Page) => page.locator('.app');
const virtualTime = async (page: Page) => Number(await appRoot(page).getAttribute('data-virtual-time-ms'));
const horizon = async (page: Page) => Number(await page.getByTestId('timeline').getAttribute('max'));

/** Pauses the run (if playing) and waits for the last frame to settle. */
async function pause(page: Page) {
  const button = page.getByTestId('play-pause');
  if ((await button.textContent())?.includes('Pause')) await button.click();
  await expect(button).toContainText('Play');
}

/** Moves the scrubber to `ms` and waits until the app shows that moment. */
async function seek(page: Page, ms: number) {
  await page.getByTestId('timeline').fill(String(ms));
  await expect(appRoot(page)).toHaveAttribute('data-virtual-time-ms', String(ms));
}

/** Plays at full speed until virtual time passes `ms`, then pauses. */
async function playUntil(page: Page, ms: number) {
  const button = page.getByTestId('play-pause');
  if ((await button.textContent())?.includes('Play')) await button.click();
  await expect.poll(() => virtualTime(page), { timeout: RAFT_TIMEOUT_MS }).toBeGreaterThan(ms);
  await pause(page);
}

/** A run with a leader, a client operation and a crashed follower, paused after `until` ms. */
async function busyRun(page: Page, url: string, until = 120_000) {
  await page.goto(url);
  await setMaxSpeed(page);
  const leader = await waitForLeader(page);
  await page.getByTestId('client-a').fill('5');
  await page.getByTestId('client-b').fill('3');
  await page.getByTestId('client-submit').click();
  const follower = (await readNodes(page)).find((n) => n.id !== leader.id && n.status === 'up');
  await nodeAction(page, follower!.id, 'crash');
  await playUntil(page, until);
  return { leader, follower: follower! };
}

test.describe('time travel', () => {
  test('scrubbing back and forward restores the same picture', async ({ page }) => {
    await busyRun(page, '/?seed=3&nodes=5');
    const end = await virtualTime(page);
    expect(await horizon(page)).toBe(end);
    const atEnd = await picture(page);
    const mid = Math.round(end / 2);
    await seek(page, mid);
    await expect(page.getByTestId('in-past')).toBeVisible();
    const atMid = await picture(page);
    expect(atMid).not.toEqual(atEnd);

    await seek(page, 0);
    const atStart = await readNodes(page);
    expect(atStart.every((n) => n.role === 'follower' && n.term === 0 && n.status === 'up')).toBe(true);
    await expect(page.getByTestId('step-back')).toBeDisabled();

    await seek(page, mid);
    expect(await picture(page)).toEqual(atMid);
    await seek(page, end);
    expect(await picture(page)).toEqual(atEnd);
    await expect(page.getByTestId('in-past')).toHaveCount(0);
    expect(await horizon(page)).toBe(end);
  });

  test('step back and step forward move one event and come back to the same picture', async ({ page }) => {
    await page.goto('/?seed=4&nodes=5');
    await setMaxSpeed(page);
    await waitForLeader(page);
    await pause(page);
    // Land on an event first (a paused run usually sits between events).
    await page.getByTestId('step-back').click();
    const start = await picture(page);
    const times = [Number(start.t)];
    for (let i = 0; i < 4; i++) {
      await page.getByTestId('step-back').click();
      times.push(await virtualTime(page));
    }
    // Time never goes forward while stepping back.
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1]);
    for (let i = 0; i < 4; i++) await page.getByTestId('step-forward').click();
    await expect(appRoot(page)).toHaveAttribute('data-virtual-time-ms', String(start.t));
    expect(await picture(page)).toEqual(start);
    // The keys , and . do the same.
    await page.keyboard.press(',');
    await page.keyboard.press('.');
    expect(await picture(page)).toEqual(start);
  });

  test('acting in the past forks: the recorded future is replaced and the new branch replays', async ({ page }) => {
    const { leader } = await busyRun(page, '/?seed=5&nodes=5', 100_000);
    const end = await virtualTime(page);
    const fork = Math.round(end * 0.6);
    await seek(page, fork);
    const crashable = (await readNodes(page)).find((n) => n.status === 'up' && n.id !== leader.id);
    // By keyboard (select the node by its number, then its crash key): the run is paused, so a
    // message glyph that happens to sit on the node's centre would take every click.
    await page.keyboard.press(String(crashable!.id));
    await page.keyboard.press('c');
    // The old future is gone: the scrubber ends here.
    await expect.poll(() => horizon(page)).toBe(fork);
    await expect(page.getByTestId('in-past')).toHaveCount(0);
    // Play the new branch on a little, then scrub back before the fork and forward again.
    await playUntil(page, fork + 20_000);
    const branchEnd = await virtualTime(page);
    const branch = await picture(page);
    expect(branch.nodes.find((n) => n.startsWith(`${crashable!.id}/`))).toContain('/crashed/');
    await seek(page, fork - 5_000);
    expect((await picture(page)).nodes.find((n) => n.startsWith(`${crashable!.id}/`))).not.toContain('/crashed/');
    await seek(page, branchEnd);
    expect(await picture(page)).toEqual(branch);
  });
});

test.describe('scene links', () => {
  test('a copied link opens the same run at the same moment, paused', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await busyRun(page, '/?seed=6&nodes=5');
    const end = await virtualTime(page);
    await seek(page, Math.round(end * 0.8));
    const here = await picture(page);
    await page.getByTestId('copy-link').click();
    const copied = page.getByTestId('link-copied');
    await expect(copied).toHaveText('Link copied');
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toBe(await copied.getAttribute('data-link'));
    expect(link).toMatch(/\?scene=[A-Za-z0-9_-]+&t=\d+$/);
    console.log(`scene link: ${link.length} characters`);

    const other = await context.newPage();
    await other.goto(link);
    await expect(appRoot(other)).toHaveAttribute('data-virtual-time-ms', here.t!);
    await expect(other.getByTestId('play-pause')).toContainText('Play');
    expect(await picture(other)).toEqual(here);
    // The whole recording came along: the end is the same, and so is the run there.
    expect(await horizon(other)).toBe(end);
    await seek(other, end);
    await seek(page, end);
    expect(await picture(other)).toEqual(await picture(page));
    await other.close();
  });

  test('when the clipboard is refused the link is shown to copy by hand', async ({ page, context }) => {
    await page.addInitScript(() => {
      Object.defineProperty(navigator, 'clipboard', {
        value: { writeText: () => Promise.reject(new Error('denied')) },
      });
    });
    await page.goto('/?seed=2&nodes=3');
    await setMaxSpeed(page);
    await waitForLeader(page);
    await pause(page);
    const here = await picture(page);
    await page.getByTestId('copy-link').click();
    const field = page.getByTestId('copy-link-fallback');
    await expect(field).toBeVisible();
    await expect(field).toBeFocused();
    const link = await field.inputValue();
    expect(link).toContain('?scene=');
    const other = await context.newPage();
    await other.goto(link);
    await expect(appRoot(other)).toHaveAttribute('data-virtual-time-ms', here.t!);
    expect(await picture(other)).toEqual(here);
  });

  test('a malformed scene link is reported and the default run starts', async ({ page }) => {
    await page.goto('/?scene=bm90IGpzb24&t=5000');
    await expect(page.getByTestId('url-error')).toContainText('not valid JSON');
    await expect(nodeLocator(page)).toHaveCount(5);
    await waitForLeader(page);
    // A link from a newer version.
    await page.goto(`/?scene=${Buffer.from('{"v":9}').toString('base64url')}&t=0`);
    await expect(page.getByTestId('url-error')).toContainText('made by a newer raftlab (format version 9');
  });
});

test.describe('export and import', () => {
  test('export then import brings back the same run at the same moment', async ({ page }, testInfo) => {
    await busyRun(page, '/?seed=7&nodes=5');
    await seek(page, Math.round((await virtualTime(page)) * 0.7));
    const here = await picture(page);
    const end = await horizon(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    expect(download.suggestedFilename()).toMatch(/^raftlab-seed7-5nodes-at-\d+\.\ds\.json$/);
    const file = testInfo.outputPath('run.json');
    await download.saveAs(file);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(json.format).toBe('raftlab-scene');
    expect(json.version).toBe(1);
    expect(json.moment_ms).toBe(Number(here.t));
    expect(json.scene.config.seed).toBe(7);
    expect(json.scene.script.length).toBeGreaterThanOrEqual(2);

    // Something else entirely, then import.
    await page.getByTestId('seed').fill('99');
    await page.getByTestId('nodes').selectOption('3');
    await page.getByTestId('reset').click();
    await expect(nodeLocator(page)).toHaveCount(3);
    await page.getByTestId('import').setInputFiles(file);
    await expect(appRoot(page)).toHaveAttribute('data-virtual-time-ms', here.t!);
    expect(await picture(page)).toEqual(here);
    expect(await horizon(page)).toBe(end);
    await expect(page.getByTestId('play-pause')).toContainText('Play');
    await expect(page.getByTestId('seed')).toHaveValue('7');
    await expect(page.getByTestId('notice')).toHaveCount(0);
  });

  test('a corrupted or future-version file is refused with a message and changes nothing', async ({ page }) => {
    await busyRun(page, '/?seed=8&nodes=5', 60_000);
    const here = await picture(page);
    const bad = async (name: string, text: string, message: string | RegExp) => {
      await page.getByTestId('import').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
      await expect(page.getByTestId('notice')).toContainText(message);
      await expect(page.getByTestId('notice')).toContainText('The current run is unchanged.');
      expect(await picture(page)).toEqual(here);
      await page.getByTestId('notice').getByRole('button', { name: 'Dismiss' }).click();
    };
    await bad('broken.json', '{"format": "raftlab-scene", "version": 1, "scene": {', 'not valid JSON');
    await bad('future.json', '{"format": "raftlab-scene", "version": 7, "scene": {}}', 'made by a newer raftlab (format version 7');
    await bad('other.json', '{"format": "something-else", "version": 1}', 'its format is');
    await bad(
      'settings.json',
      '{"format": "raftlab-scene", "version": 1, "scene": {"config": {"latency_ms_min": "fast"}}}',
      'scene.config.latency_ms_min must be a whole number',
    );
    await bad(
      'replay.json',
      '{"format": "raftlab-scene", "version": 1, "scene": {"script": [{"events": 0, "at_ms": 0, "action": {"Restart": 1}}]}}',
      /action 1 of the scene .* cannot be replayed: Node 1 is already running/,
    );
    expect(await picture(page)).toEqual(here);
  });
});

test.describe('saved session', () => {
  test('a reload resumes the session where it was; Start fresh starts the URL\'s run', async ({ page }) => {
    await busyRun(page, '/?seed=9&nodes=3', 80_000);
    await seek(page, 50_000);
    const here = await picture(page);
    // Saved shortly after the last change.
    await expect
      .poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('raftlab.session') ?? '{}').moment_ms))
      .toBe(50_000);
    await page.reload();
    await expect(page.getByTestId('session-resumed')).toContainText('Resumed your last session');
    await expect(appRoot(page)).toHaveAttribute('data-virtual-time-ms', '50000');
    expect(await picture(page)).toEqual(here);
    await expect(page.getByTestId('play-pause')).toContainText('Play');

    // Explicit parameters for another run win over the saved session.
    await page.goto('/?seed=10&nodes=5');
    await expect(nodeLocator(page)).toHaveCount(5);
    await expect(page.getByTestId('session-resumed')).toHaveCount(0);

    // Back to the session (saved on this URL now), then start fresh.
    await pause(page);
    await seek(page, 0);
    await page.reload();
    await expect(page.getByTestId('session-resumed')).toBeVisible();
    await page.getByTestId('start-fresh').click();
    await expect(page.getByTestId('session-resumed')).toHaveCount(0);
    await expect(nodeLocator(page)).toHaveCount(5);
    await expect(page.getByTestId('play-pause')).toContainText('Pause');
  });

  test('a corrupt saved session is ignored with a message and replaced', async ({ page }) => {
    // Corrupt text in the storage before the app reads it (once: the page saves its own
    // session when it is left, so corrupting it from the running page would be overwritten).
    await page.addInitScript(() => {
      if (!sessionStorage.getItem('corrupted')) {
        sessionStorage.setItem('corrupted', '1');
        localStorage.setItem('raftlab.session', '{"format":"raftlab-session","version":');
      }
    });
    await page.goto('/');
    await expect(page.getByTestId('notice')).toContainText('Your saved session could not be resumed');
    await expect(nodeLocator(page)).toHaveCount(5);
    await waitForLeader(page);
    // The new run's session took its place.
    await expect
      .poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('raftlab.session') ?? '{}').format))
      .toBe('raftlab-session');
  });

  test('an app embedded in a frame neither saves nor resumes a session', async ({ page }) => {
    await page.route('**/host.html', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><iframe src="/?seed=3&nodes=3" width="900" height="700"></iframe>',
      }),
    );
    await page.goto('/host.html');
    const frame = page.frameLocator('iframe');
    await expect(frame.locator('svg [data-node-id]')).toHaveCount(3);
    await frame.getByTestId('play-pause').click();
    await page.waitForTimeout(1_000);
    expect(await page.evaluate(() => localStorage.getItem('raftlab.session'))).toBeNull();
  });
});
