// Smoke test: true of any build of the app, placeholder or real. It proves the
// pipeline (trunk build -> static server -> Chromium -> wasm runs) and saves a
// full-page screenshot as test-results/app.png on every run.
import * as path from 'node:path';
import { test, expect } from './fixtures';

test('smoke: the page loads, the wasm app mounts, screenshot saved', async ({ page }, testInfo) => {
  const wasmResponse = page.waitForResponse((r) => r.url().endsWith('.wasm'));
  const response = await page.goto('/');
  expect(response?.ok(), 'index.html is served').toBeTruthy();
  await expect(page).toHaveTitle('raftlab — Raft consensus simulator');

  const wasm = await wasmResponse;
  expect(wasm.ok(), 'the .wasm file is served').toBeTruthy();
  expect(wasm.headers()['content-type']).toBe('application/wasm');

  // Yew clears <body> and renders into it: wait for any rendered element.
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          Array.from(document.body.children).filter(
            (e) => !['SCRIPT', 'LINK', 'STYLE'].includes(e.tagName),
          ).length,
      ),
    )
    .toBeGreaterThan(0);

  // Let the app run briefly so that late errors are caught by the fixture.
  await page.waitForTimeout(1_000);
  await page.screenshot({ path: path.join(testInfo.project.outputDir, 'app.png'), fullPage: true });
});
