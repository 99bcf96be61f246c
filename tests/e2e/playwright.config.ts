// Playwright configuration for raftlab's end-to-end tests.
//
// Runs the specs of this folder in Debian's Chromium (/usr/bin/chromium, never a
// Playwright-downloaded browser) against the release build in ../../dist, which
// Playwright serves itself with Python's static server (webServer below).
//
//   (from the repo root) trunk build --release && cd tests/e2e && npx playwright test
//
// scripts/test.sh does all of this for you.
import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Fixed port of the static server; override with RAFTLAB_E2E_PORT if it is taken.
const PORT = Number(process.env.RAFTLAB_E2E_PORT ?? 4173);
// The folder served: the release build at the repo root, unless RAFTLAB_E2E_DIST names another.
const DIST = path.resolve(process.env.RAFTLAB_E2E_DIST ?? path.join(__dirname, '..', '..', 'dist'));

if (!fs.existsSync(path.join(DIST, 'index.html'))) {
  throw new Error(`${DIST}/index.html not found: run \`trunk build --release\` at the repo root first`);
}

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: 'test-results',
  reporter: 'list',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },

  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox', // we run as root
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'off',
  },

  webServer: {
    command: `python3 -m http.server --bind 127.0.0.1 --directory "${DIST}" ${PORT}`,
    url: `http://127.0.0.1:${PORT}/index.html`,
    // Never test whatever else may be listening on the port: fail instead.
    reuseExistingServer: false,
    timeout: 30_000,
    // http.server logs every request on stderr: keep the test output readable.
    stdout: 'ignore',
    stderr: 'ignore',
  },
});
