// Embed mode and the postMessage API, tested the way a course page uses them: the app runs in
// iframes of a host page (served by the test from the same server), which drives it with
// postMessage and collects the events it posts back. Also: the README's iframe snippet pasted
// into a blank page, and examples/embed.html.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from '@playwright/test';
import { test, expect } from './fixtures';

type Received = { frame: string | null; type: string; [k: string]: unknown };

/** A host page with these iframes; it records every raftlab event with the frame it came from. */
function hostPage(frames: { id: string; src: string; width?: number; height?: number }[]): string {
  const iframes = frames
    .map(
      (f) =>
        `<iframe id="${f.id}" src="${f.src}" width="${f.width ?? 800}" height="${f.height ?? 600}" ` +
        `style="border:0;display:block" title="${f.id}"></iframe>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>host</title>
<script>
  window.received = [];
  window.addEventListener('message', (e) => {
    const frame = [...document.querySelectorAll('iframe')].find((f) => f.contentWindow === e.source);
    if (e.data && e.data.raftlab === 1) window.received.push({ frame: frame ? frame.id : null, ...e.data });
  });
  window.send = (id, message) => document.getElementById(id).contentWindow.postMessage(message, '*');
</script></head><body style="margin:0">${iframes}</body></html>`;
}

/** Serves `html` at /__host.html on the app's own server and opens it. */
async function openHost(page: Page, html: string): Promise<void> {
  await page.route('**/__host.html', (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.goto('/__host.html');
}

const received = (page: Page): Promise<Received[]> => page.evaluate(() => (window as any).received);

async function events(page: Page, frame: string, type: string): Promise<Received[]> {
  return (await received(page)).filter((e) => e.frame === frame && e.type === type);
}

async function waitFor(page: Page, frame: string, type: string, count = 1, timeout = 10_000): Promise<Received[]> {
  await expect
    .poll(async () => (await events(page, frame, type)).length, { message: `${count} ${type} from ${frame}`, timeout })
    .toBeGreaterThanOrEqual(count);
  return events(page, frame, type);
}

async function send(page: Page, frame: string, message: object): Promise<void> {
  await page.evaluate(([id, m]) => (window as any).send(id, m), [frame, message] as const);
}

function frameOf(page: Page, id: string): Frame {
  const f = page.frame({ url: (u) => u.searchParams.get('embed') === '1' && u.hash === `#${id}` });
  if (!f) throw new Error(`no frame ${id}`);
  return f;
}

const virtualTime = async (f: Frame): Promise<number> =>
  Number(await f.locator('.app').getAttribute('data-virtual-time-ms'));

test.describe('embed mode and the postMessage API', () => {
  test('a host page drives an embed and hears its events', async ({ page }, testInfo) => {
    await openHost(page, hostPage([{ id: 'a', src: '/?embed=1&paused=1#a' }]));
    const [ready] = await waitFor(page, 'a', 'ready');
    expect(ready).toMatchObject({ t_ms: 0, scenario: null });
    const [initial] = await waitFor(page, 'a', 'state');
    expect(initial).toMatchObject({ t_ms: 0, leader: null, playing: false });
    expect((initial.nodes as unknown[]).length).toBe(5);
    const f = frameOf(page, 'a');
    await expect(f.locator('.app')).toHaveAttribute('data-embed', 'true');
    await expect(f.locator('.app-header')).toHaveCount(0);

    // seek forward runs the simulation: the election and the no-op's commit are reported.
    await send(page, 'a', { raftlab: 1, type: 'seek', t_ms: 60000 });
    const [elected] = await waitFor(page, 'a', 'leader-elected');
    expect(elected).toMatchObject({ node: 2, term: 1, t_ms: 25492 });
    const [committed] = await waitFor(page, 'a', 'entry-committed');
    expect(committed).toMatchObject({ index: 1, term: 1, count: 1 });
    await expect(f.locator('.app')).toHaveAttribute('data-virtual-time-ms', '60000');

    // play and pause.
    await send(page, 'a', { raftlab: 1, type: 'play' });
    await expect.poll(() => virtualTime(f)).toBeGreaterThan(60000);
    await send(page, 'a', { raftlab: 1, type: 'pause' });
    await expect(f.getByTestId('play-pause')).toContainText('Play');
    const paused = await virtualTime(f);
    await page.waitForTimeout(500);
    expect(await virtualTime(f)).toBe(paused);

    // An action: crash the leader; the host hears about it.
    await send(page, 'a', { raftlab: 1, type: 'action', action: { crash: 2 } });
    const [crashed] = await waitFor(page, 'a', 'node-crashed');
    expect(crashed).toMatchObject({ node: 2, t_ms: paused });
    await expect(f.locator('svg [data-node-id="2"]')).toHaveAttribute('data-status', 'crashed');
    await send(page, 'a', { raftlab: 1, type: 'action', action: { submit: { a: 5, b: 3 } } });
    await send(page, 'a', { raftlab: 1, type: 'play' });
    const [, reelected] = await waitFor(page, 'a', 'leader-elected', 2, 30_000);
    expect(reelected.node).not.toBe(2);
    expect(reelected.term as number).toBeGreaterThan(1);
    await send(page, 'a', { raftlab: 1, type: 'pause' });

    // get-state answers with the present.
    const before = (await events(page, 'a', 'state')).length;
    await send(page, 'a', { raftlab: 1, type: 'get-state' });
    const states = await waitFor(page, 'a', 'state', before + 1);
    const state = states[states.length - 1];
    expect(state.leader).toBe(reelected.node);
    expect(state.t_ms).toBe(await virtualTime(f));
    expect((state.nodes as { id: number; status: string }[]).find((n) => n.id === 2)?.status).toBe('crashed');

    // Seeking back is told as a state, not as past events again.
    const electedBefore = (await events(page, 'a', 'leader-elected')).length;
    await send(page, 'a', { raftlab: 1, type: 'seek', t_ms: 10000 });
    const afterSeek = await waitFor(page, 'a', 'state', before + 2);
    expect(afterSeek[afterSeek.length - 1]).toMatchObject({ t_ms: 10000, leader: null });
    expect((await events(page, 'a', 'leader-elected')).length).toBe(electedBefore);

    // load-scenario, then the scenario's steps.
    await send(page, 'a', { raftlab: 1, type: 'load-scenario', id: 'leader-crash' });
    await expect(f.getByTestId('scenario')).toHaveAttribute('data-scenario-id', 'leader-crash');
    await expect(f.getByTestId('scenario')).toHaveAttribute('data-step', '1');
    await send(page, 'a', { raftlab: 1, type: 'next-step' });
    await expect(f.getByTestId('scenario')).toHaveAttribute('data-step', '2');
    await send(page, 'a', { raftlab: 1, type: 'previous-step' });
    await expect(f.getByTestId('scenario')).toHaveAttribute('data-step', '1');
    await page.screenshot({ path: path.join(testInfo.project.outputDir, 'embed-host.png') });
  });

  test('bad messages get an error event and change nothing; foreign messages are ignored', async ({ page }) => {
    await openHost(page, hostPage([{ id: 'a', src: '/?embed=1&paused=1#a' }]));
    await waitFor(page, 'a', 'ready');
    const f = frameOf(page, 'a');
    const bad: [object, string][] = [
      [{ raftlab: 1, type: 'jump' }, 'unknown type'],
      [{ raftlab: 2, type: 'play' }, 'raftlab must be 1'],
      [{ raftlab: 1 }, 'type is missing'],
      [{ raftlab: 1, type: 'seek' }, 'seek needs t_ms'],
      [{ raftlab: 1, type: 'seek', t_ms: -5 }, 'seek needs t_ms'],
      [{ raftlab: 1, type: 'seek', t_ms: 1e9 }, 'too far ahead'],
      [{ raftlab: 1, type: 'load-scenario', id: 'nope' }, 'nope'],
      [{ raftlab: 1, type: 'action', action: { crsh: 2 } }, 'unknown action'],
      [{ raftlab: 1, type: 'action', action: { crash: 'two' } }, 'takes a node id'],
      [{ raftlab: 1, type: 'action', action: { crash: 42 } }, 'the simulator refused'],
      [{ raftlab: 1, type: 'next-step' }, 'no scenario'],
    ];
    for (const [message, reason] of bad) {
      const before = (await events(page, 'a', 'error')).length;
      await send(page, 'a', message);
      const errors = await waitFor(page, 'a', 'error', before + 1);
      expect(errors[errors.length - 1].reason, JSON.stringify(message)).toContain(reason);
    }
    // Not raftlab's: no answer at all.
    const before = (await received(page)).length;
    for (const message of ['play', 42, null, [1, 2], { type: 'play' }, { hello: 'world' }]) {
      await send(page, 'a', message as object);
    }
    await page.waitForTimeout(500);
    expect((await received(page)).length).toBe(before);
    // Nothing moved.
    expect(await virtualTime(f)).toBe(0);
    await expect(f.locator('svg [data-status="crashed"]')).toHaveCount(0);
  });

  test('two embeds on one page stay independent', async ({ page }) => {
    await openHost(
      page,
      hostPage([
        { id: 'a', src: '/?embed=1&paused=1&scenario=first-election#a', width: 640, height: 480 },
        { id: 'b', src: '/?embed=1&paused=1&nodes=3&seed=5#b', width: 640, height: 480 },
      ]),
    );
    expect((await waitFor(page, 'a', 'ready'))[0].scenario).toBe('first-election');
    expect((await waitFor(page, 'b', 'ready'))[0].scenario).toBe(null);
    const a = frameOf(page, 'a');
    const b = frameOf(page, 'b');
    await expect(a.locator('svg [data-node-id]')).toHaveCount(5);
    await expect(b.locator('svg [data-node-id]')).toHaveCount(3);

    await send(page, 'a', { raftlab: 1, type: 'seek', t_ms: 50000 });
    await send(page, 'a', { raftlab: 1, type: 'action', action: { crash: 1 } });
    await waitFor(page, 'a', 'node-crashed');
    await expect(a.locator('.app')).toHaveAttribute('data-virtual-time-ms', '50000');
    await expect(a.locator('svg [data-node-id="1"]')).toHaveAttribute('data-status', 'crashed');
    // b did not move, and heard nothing of a's run.
    expect(await virtualTime(b)).toBe(0);
    await expect(b.locator('svg [data-node-id="1"]')).toHaveAttribute('data-status', 'up');
    expect(await events(page, 'b', 'node-crashed')).toEqual([]);
    expect(await events(page, 'b', 'leader-elected')).toEqual([]);

    // Each keeps its own controls: playing b does not play a.
    await b.getByTestId('play-pause').click();
    await expect.poll(() => virtualTime(b)).toBeGreaterThan(0);
    await page.waitForTimeout(300);
    expect(await virtualTime(a)).toBe(50000);
    // And b's scenario Back/Next are its own (b has none).
    await expect(b.getByTestId('scenario')).toHaveCount(0);
    await expect(a.getByTestId('scenario')).toHaveAttribute('data-step', '1');
  });

  test('fits an 800×600 frame without scrollbars', async ({ page }, testInfo) => {
    await openHost(page, hostPage([{ id: 'a', src: '/?embed=1&scenario=new-node#a' }]));
    await waitFor(page, 'a', 'ready');
    const f = frameOf(page, 'a');
    await expect(f.getByTestId('scenario')).toBeVisible();
    for (const sel of ['svg.cluster', '.log-view', '.event-log', '[data-testid=timeline]']) {
      await expect(f.locator(sel).first()).toBeVisible();
    }
    const size = await f.evaluate(() => [
      document.documentElement.scrollWidth,
      document.documentElement.scrollHeight,
      window.innerWidth,
      window.innerHeight,
    ]);
    expect(size).toEqual([800, 600, 800, 600]);
    // Every panel lies inside the frame, and Back/Next are visible.
    for (const sel of ['.cluster-panel', '.log-view', '.scenario-panel', '.event-log']) {
      const b = await f.locator(sel).boundingBox();
      expect(b && b.y + b.height <= 600 && b.x + b.width <= 800, sel).toBeTruthy();
    }
    await expect(f.getByTestId('scenario-next')).toBeInViewport();
    await expect(f.getByTestId('scenario-back')).toBeInViewport();
    await page.locator('#a').screenshot({ path: path.join(testInfo.project.outputDir, 'embed-800x600.png') });
  });

  test('panels and malformed options', async ({ page }) => {
    await page.setViewportSize({ width: 800, height: 600 });
    await page.goto('/?embed=1&panels=cluster');
    await expect(page.locator('svg.cluster')).toBeVisible();
    for (const sel of ['.log-view', '.event-log', '.client-panel', '[data-testid=timeline]', '.app-header']) {
      await expect(page.locator(sel)).toHaveCount(0);
    }
    await expect(page.getByTestId('play-pause')).toBeVisible();

    await page.goto('/?embed=1&panels=cluster,charts&speed=fast&paused=maybe&scenario=nope');
    const banner = page.getByTestId('url-error');
    await expect(banner).toContainText('charts');
    await expect(banner).toContainText('speed=');
    await expect(banner).toContainText('paused=');
    await expect(banner).toContainText('nope');
    // Defaults used: playing, at the default speed, no scenario; cluster shown.
    await expect(page.getByTestId('play-pause')).toContainText('Pause');
    await expect(page.getByTestId('scenario')).toHaveCount(0);
    await expect(page.locator('svg.cluster')).toBeVisible();
  });

  test("the README's snippet, pasted into a blank page, plays the scenario", async ({ page, baseURL }) => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Embedding raftlab'));
    const snippet = section.match(/```html\n([\s\S]*?)```/)?.[1];
    expect(snippet, 'an html block in "Embedding raftlab"').toBeTruthy();
    expect(snippet).toContain('<iframe');
    // The snippet points at scripts/serve.sh's address; the test server stands in for it.
    const html = `<!doctype html><html><body>${snippet!.replaceAll('http://127.0.0.1:8080/', `${baseURL}/`)}</body></html>`;
    await openHost(page, html);
    const f = page.frames().find((fr) => fr.url().includes('embed=1'));
    expect(f, 'the iframe loaded the app').toBeTruthy();
    await expect(f!.getByTestId('scenario')).toHaveAttribute('data-scenario-id', 'figure-8');
    await expect(f!.getByTestId('scenario-next')).toBeVisible();
    await f!.getByTestId('scenario-next').click();
    await expect(f!.getByTestId('scenario')).toHaveAttribute('data-step', '2');
  });

  test('examples/embed.html drives its frame', async ({ page, baseURL }) => {
    const example = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'embed.html'), 'utf8');
    expect(example).toContain("const RAFTLAB = 'http://127.0.0.1:8080/';");
    await openHost(page, example.replace("'http://127.0.0.1:8080/'", `'${baseURL}/'`));
    const log = page.locator('#events');
    await expect(log).toContainText('raftlab is ready (scenario figure-8)');
    const f = page.frames().find((fr) => fr.url().includes('embed=1'))!;
    await expect(f.getByTestId('scenario')).toHaveAttribute('data-scenario-id', 'figure-8');
    await page.getByRole('button', { name: 'Next step' }).click();
    await expect(f.getByTestId('scenario')).toHaveAttribute('data-step', '2');
    await page.getByRole('button', { name: 'Previous step' }).click();
    await expect(f.getByTestId('scenario')).toHaveAttribute('data-step', '1');
    await page.getByRole('button', { name: 'Who leads?' }).click();
    await expect(page.locator('#leader')).toHaveText('Node 2 (term 1)');
    await page.getByRole('button', { name: 'Crash the leader' }).click();
    await expect(log).toContainText('Node 2 crashed');
    await page.locator('#scenario').selectOption('first-election');
    await page.getByRole('button', { name: 'Load scenario' }).click();
    await expect(f.getByTestId('scenario')).toHaveAttribute('data-scenario-id', 'first-election');
    await page.getByRole('button', { name: 'Go to 60 s' }).click();
    await expect(log).toContainText('Node 2 is the leader of term 1');
  });
});
