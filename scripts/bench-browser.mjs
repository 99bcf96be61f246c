// Browser benchmarks of raftlab (issue 8), in headless Debian Chromium through Playwright
// (tests/e2e/node_modules), against the release build in dist/:
//
//   (2) simulator speed in wasm: the hidden export `bench_sim` (web/src/main.rs) runs the
//       default 5-node simulation, a client operation every 500 ms, one virtual hour;
//   (3) frame budget: 9 nodes, heavy client load, per-frame main-thread work over 10 s, and
//       the first frame after load;
//   (4) size: wasm + js, gzip -9 (scripts/size.sh);
//   (5) memory: JS heap + wasm linear memory after one hour of virtual time in the app.
//
// Then it prints every figure next to its target. With FIGURES=<file> it also reads the
// `FIGURE name value` lines of the native benchmarks (benches/src/bin/figures.rs) into the
// same table. scripts/bench.sh runs all of it:
//
//   trunk build --release && node scripts/bench-browser.mjs
//
// Environment: RAFTLAB_BENCH_PORT (default 4392) for the static server, RAFTLAB_E2E_DIST for
// another dist folder, FIGURES for the native figures, BENCH_QUICK=1 for a short smoke run,
// BENCH_ONLY=frame to run the frame budget (3b) alone (for before/after comparisons),
// BENCH_TRACE=<file> to record a Chrome trace of the frame-budget window and print where the
// main thread's time went.

import { createRequire } from 'node:module';
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'tests', 'e2e', 'package.json'));
const { chromium } = require('@playwright/test');

const PORT = Number(process.env.RAFTLAB_BENCH_PORT ?? 4392);
const DIST = path.resolve(process.env.RAFTLAB_E2E_DIST ?? path.join(ROOT, 'dist'));
const BASE = `http://127.0.0.1:${PORT}`;
const QUICK = process.env.BENCH_QUICK === '1';
const HOUR_MS = 3_600_000;

// The launch flags of tests/e2e/playwright.config.ts.
const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // performance.memory with exact (not bucketed) values.
    '--enable-precise-memory-info',
  ],
};
const VIEWPORT = { width: 1280, height: 800 };

const log = (...a) => console.error('[bench]', ...a);
const pct = (xs, p) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const median = (xs) => pct(xs, 50);

// Captures the wasm exports (for memory.buffer) when Trunk's loader announces the app.
const INIT_SCRIPT = () => {
  addEventListener('TrunkApplicationStarted', (e) => {
    window.__wasm = e.detail.wasm;
  });
  // First rAF in which the cluster is drawn (ms since navigation start).
  const watch = (ts) => {
    if (document.querySelector('svg [data-node-id]')) {
      window.__firstClusterFrame = ts;
      window.__firstClusterDone = performance.now();
    } else {
      requestAnimationFrame(watch);
    }
  };
  requestAnimationFrame(watch);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') window.__fcp = e.startTime;
  }).observe({ type: 'paint', buffered: true });
};

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${BASE}/index.html`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`static server on port ${PORT} did not start`);
}

async function openApp(browser, query) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(INIT_SCRIPT);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${BASE}/${query}`);
  await page.waitForFunction(() => window.wasmBindings && window.__wasm && document.querySelector('svg [data-node-id]'));
  return { context, page, errors };
}

/** Virtual time shown by the app, in ms (`2026-01-01 00:00:21,345`, day 1 = 0). */
async function virtualMs(page) {
  const text = await page.getByTestId('virtual-time').textContent();
  const m = /(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+),(\d+)/.exec(text ?? '');
  if (!m) throw new Error(`unreadable virtual time: ${text}`);
  const [, , , d, h, min, s, ms] = m.map(Number);
  return ((((d - 1) * 24 + h) * 60 + min) * 60 + s) * 1000 + ms;
}

// (2) Simulator speed in wasm.
async function simSpeed(browser) {
  const { context, page } = await openApp(browser, '?seed=1&nodes=5');
  // Pause the app so its animation frames do not compete (the run blocks the thread anyway).
  await page.getByTestId('play-pause').click();
  const virtualMs = QUICK ? 600_000 : HOUR_MS;
  const runs = await page.evaluate(
    ({ virtualMs, runs }) => {
      window.wasmBindings.bench_sim(60_000, 500); // warm-up
      const out = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const events = window.wasmBindings.bench_sim(virtualMs, 500);
        out.push({ ms: performance.now() - t0, events });
      }
      return out;
    },
    { virtualMs, runs: 3 },
  );
  await context.close();
  const best = Math.min(...runs.map((r) => r.ms));
  log(`wasm simulator: ${runs.map((r) => r.ms.toFixed(1)).join(', ')} ms for ${virtualMs / 1000} virtual s (${runs[0].events} events)`);
  return { speed: virtualMs / best, bestMs: best, events: runs[0].events, virtualMs };
}

// (3a) First frame after load: cold context each time, median of 3.
async function firstFrame(browser) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    const { context, page } = await openApp(browser, '?seed=1&nodes=5');
    const s = await page.evaluate(() => ({
      fcp: window.__fcp ?? NaN,
      cluster: window.__firstClusterFrame,
      clusterDone: window.__firstClusterDone,
    }));
    samples.push(s);
    await context.close();
  }
  log('first frame samples:', JSON.stringify(samples));
  return {
    fcp: median(samples.map((s) => s.fcp)),
    cluster: median(samples.map((s) => s.clusterDone)),
  };
}

// (3b) Frame budget: 9 nodes, the client sending `5 + 3` every `clickEveryMs` of wall time.
async function frameBudget(browser) {
  const { context, page, errors } = await openApp(browser, '?seed=1&nodes=9');
  // Let the cluster elect a leader first (default speed 6x: the first election is ~5 s in).
  await page.waitForFunction(() => document.querySelector('svg [data-role="leader"]'), null, { timeout: 30_000 });
  const seconds = QUICK ? 3 : 10;
  const traceFile = process.env.BENCH_TRACE;
  const clickEveryMs = Number(process.env.FRAME_CLICK_MS ?? 25);
  if (process.env.FRAME_SPEED_POS) await page.getByTestId('speed').fill(process.env.FRAME_SPEED_POS);
  if (traceFile) {
    await browser.startTracing(page, {
      path: traceFile,
      categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8.execute'],
    });
  }
  const result = await page.evaluate(
    async ({ seconds, clickEveryMs }) => {
      const submit = document.querySelector('[data-testid=client-submit]');
      const frames = []; // per frame: [rAF timestamp, end of the frame's work]
      const inFlight = [];
      const longTasks = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(e.duration))).observe({
        type: 'longtask',
        buffered: false,
      });
      // Load: a client request every clickEveryMs (a real click on the form's button).
      const load = clickEveryMs > 0 ? setInterval(() => submit.click(), clickEveryMs) : 0;
      // Give the load 2 s to fill the network before measuring.
      await new Promise((r) => setTimeout(r, 2000));
      let running = true;
      const probe = (ts) => {
        if (!running) return;
        requestAnimationFrame(probe);
        inFlight.push(document.querySelectorAll('svg [data-message-id]').length);
        // A task posted now runs after this frame's rendering update (rAF callbacks,
        // microtasks, style, layout, paint): its start ends the frame's main-thread work.
        const ch = new MessageChannel();
        ch.port1.onmessage = () => frames.push([ts, performance.now()]);
        ch.port2.postMessage(0);
      };
      requestAnimationFrame(probe);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      running = false;
      clearInterval(load);
      await new Promise((r) => setTimeout(r, 100));
      const work = frames.map(([ts, end]) => end - ts);
      const deltas = frames.slice(1).map(([ts], i) => ts - frames[i][0]);
      return { work, deltas, inFlight, longTasks };
    },
    { seconds, clickEveryMs },
  );
  if (traceFile) {
    await browser.stopTracing();
    log(`frame budget: main-thread time by top-level event (${traceFile}):`);
    for (const [name, ms] of summariseTrace(traceFile).slice(0, 12)) log(`  ${name.padEnd(28)} ${ms.toFixed(0)} ms`);
    const cpu = frameCpu(traceFile);
    if (cpu) {
      log(
        `frame budget: main-thread CPU time per frame (trace thread time, less sensitive to other load): ` +
          `p50 ${cpu.p50.toFixed(1)} ms, p95 ${cpu.p95.toFixed(1)} ms over ${cpu.frames} frames; mean per frame: ` +
          cpu.parts.map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(', '),
      );
    }
  }
  const requests = await page.evaluate(() => document.querySelector('[data-testid=client-summary]')?.textContent);
  await context.close();
  if (errors.length) log('page errors:', errors);
  log(`frame budget: ${result.work.length} frames in ${seconds} s; last answer: ${requests}`);
  return {
    frames: result.work.length,
    seconds,
    p50: median(result.work),
    p95: pct(result.work, 95),
    max: Math.max(...result.work),
    deltaP50: median(result.deltas),
    deltaP95: pct(result.deltas, 95),
    inFlightMedian: median(result.inFlight),
    inFlightMin: Math.min(...result.inFlight),
    inFlightMax: Math.max(...result.inFlight),
    longTasks: result.longTasks.length,
  };
}

// (5) Memory after one hour of virtual time at the app's top speed (100x: 36 s of wall time),
// with the client sending a request every 500 ms of virtual time (every 5 ms of wall time).
async function memory(browser) {
  const { context, page } = await openApp(browser, '?seed=1&nodes=5');
  const speed = page.getByTestId('speed');
  await speed.fill((await speed.getAttribute('max')) ?? '1000');
  const target = QUICK ? 300_000 : HOUR_MS;
  const t0 = Date.now();
  await page.evaluate(() => {
    const submit = document.querySelector('[data-testid=client-submit]');
    const start = performance.now();
    let sent = 0;
    const pump = () => {
      const due = Math.floor((performance.now() - start) / 5);
      for (; sent < due; sent++) submit.click();
      window.__pump = requestAnimationFrame(pump);
    };
    pump();
  });
  for (;;) {
    const v = await virtualMs(page);
    if (v >= target) break;
    if (Date.now() - t0 > 240_000) throw new Error(`only ${v} virtual ms after 4 minutes`);
    await page.waitForTimeout(500);
  }
  const reached = await virtualMs(page);
  await page.evaluate(() => cancelAnimationFrame(window.__pump));
  await page.getByTestId('play-pause').click(); // pause
  const wallS = (Date.now() - t0) / 1000;
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  const wasmBytes = await page.evaluate(() => window.__wasm.memory.buffer.byteLength);
  const ops = await page.evaluate(() => document.querySelector('[data-testid=client-summary]')?.textContent);
  await context.close();
  log(`memory: ${reached / 1000} virtual s in ${wallS.toFixed(1)} wall s; last answer: ${ops}`);
  return {
    virtualS: reached / 1000,
    wallS,
    jsUsed: m.JSHeapUsedSize,
    jsTotal: m.JSHeapTotalSize,
    wasm: wasmBytes,
    nodes: m.Nodes,
  };
}

/**
 * Total duration of each kind of trace event on the renderer's main thread, counting only
 * the events not nested in another one, and within those the wasm/JS vs. rendering split:
 * `[name, ms]`, largest first.
 */
function summariseTrace(file) {
  const events = JSON.parse(fs.readFileSync(file, 'utf8')).traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return [];
  const mine = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const totals = new Map();
  const add = (k, us) => totals.set(k, (totals.get(k) ?? 0) + us / 1000);
  // Children of the top-level tasks: the first level below RunTask.
  let topEnd = -1;
  let childEnd = -1;
  for (const e of mine) {
    if (e.ts >= topEnd) {
      topEnd = e.ts + e.dur;
      childEnd = -1;
      add(`(task) ${e.name}`, e.dur);
      continue;
    }
    if (e.ts >= childEnd) {
      childEnd = e.ts + e.dur;
      add(e.name, e.dur);
    }
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

/**
 * Main-thread CPU time per frame from the trace's thread times (`tdur`), which do not count the
 * time the thread waited for a core: frames end at each `Commit`, and a frame's time is that of
 * the top-level tasks since the previous one (its animation frame, any click handled in
 * between, style, layout, paint). Also the mean per frame of the main kinds of work.
 */
function frameCpu(file) {
  const events = JSON.parse(fs.readFileSync(file, 'utf8')).traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return null;
  const mine = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const cpu = (e) => (e.tdur ?? e.dur) / 1000;
  const tops = [];
  let end = -1;
  for (const e of mine) if (e.ts >= end) (tops.push(e), (end = e.ts + e.dur));
  const commits = mine.filter((e) => e.name === 'Commit');
  const frames = [];
  let t = 0;
  for (let k = 1; k < commits.length; k++) {
    const to = commits[k].ts + commits[k].dur;
    let sum = 0;
    for (; t < tops.length && tops[t].ts < to; t++) sum += cpu(tops[t]);
    frames.push(sum);
  }
  if (frames.length === 0) return null;
  const names = ['FireAnimationFrame', 'EventDispatch', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit'];
  const parts = names.map((n) => {
    let e2 = -1;
    let sum = 0;
    for (const e of mine) if (e.name === n && e.ts >= e2) (sum += cpu(e), (e2 = e.ts + e.dur));
    return [n, sum / frames.length];
  });
  return { frames: frames.length, p50: median(frames.slice(1)), p95: pct(frames.slice(1), 95), parts };
}

function sizeKb() {
  let out;
  try {
    out = execFileSync('bash', [path.join(ROOT, 'scripts', 'size.sh'), DIST], { encoding: 'utf8' });
  } catch (e) {
    // Over the budget: size.sh exits 1 but still prints the total, which the table shows
    // as missed.
    out = String(e.stdout ?? '');
  }
  process.stderr.write(out);
  const m = /TOTAL wasm\+js gzip -9 = ([\d.]+) KB/.exec(out);
  return m ? Number(m[1]) : NaN;
}

function nativeFigures() {
  const file = process.env.FIGURES;
  if (!file || !fs.existsSync(file)) return {};
  const out = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^FIGURE (\S+) (\S+)$/.exec(line.trim());
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

const MB = 1024 * 1024;
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');

async function main() {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(`${DIST}/index.html not found: run \`trunk build --release\` first`);
  }
  const server = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', DIST, String(PORT)], {
    stdio: 'ignore',
  });
  const rows = [];
  try {
    await waitForServer();
    const browser = await chromium.launch(LAUNCH);
    if (process.env.BENCH_ONLY === 'frame') {
      try {
        const f = await frameBudget(browser);
        console.log(
          `frame budget: p50 ${fmt(f.p50, 1)} ms, p95 ${fmt(f.p95, 1)} ms, max ${fmt(f.max, 1)} ms; ` +
            `${f.frames} frames in ${f.seconds} s (interval p50 ${fmt(f.deltaP50, 1)} / p95 ${fmt(f.deltaP95, 1)} ms); ` +
            `${fmt(f.inFlightMedian)} messages in flight (${f.inFlightMin}-${f.inFlightMax}); ${f.longTasks} long tasks`,
        );
        const [l1] = os.loadavg();
        console.log(`load average ${l1.toFixed(1)} (1 min)`);
      } finally {
        await browser.close();
      }
      return;
    }
    const size = sizeKb();
    try {
      log('(2) simulator speed in wasm');
      const sim = await simSpeed(browser);
      log('(3) first frame');
      const first = await firstFrame(browser);
      log('(3) frame budget');
      const frame = await frameBudget(browser);
      log('(5) memory after one virtual hour');
      const mem = await memory(browser);

      const n = nativeFigures();
      const row = (name, value, target, met, note = '') => rows.push({ name, value, target, met, note });
      for (const b of [1, 64]) {
        const r = n[`core_b${b}_ratio`];
        if (r !== undefined) {
          row(
            `(1) core throughput, batch ${b}: raftlab / raft-rs`,
            `${fmt(r, 2)}x`,
            '>= 2x',
            r >= 2,
            `raftlab ${fmt(n[`core_b${b}_raftlab`])} entries/s, raft-rs ${fmt(n[`core_b${b}_raftrs`])} entries/s`,
          );
        }
      }
      if (n.sim_native !== undefined) {
        row('(2) simulator speed, native', `${fmt(n.sim_native)}x`, '>= 100,000x', n.sim_native >= 100_000, 'virtual s per wall s, 5 nodes, op every 500 ms, 1 h');
      }
      row('(2) simulator speed, wasm (Chromium)', `${fmt(sim.speed)}x`, '>= 10,000x', sim.speed >= 10_000, `${fmt(sim.bestMs, 1)} ms for ${fmt(sim.virtualMs / 1000)} virtual s (best of 3), ${fmt(sim.events)} events`);
      row('(3) per-frame work p50', `${fmt(frame.p50, 1)} ms`, '-', true, `9 nodes, ${fmt(frame.inFlightMedian)} messages in flight (median; ${frame.inFlightMin}-${frame.inFlightMax})`);
      row('(3) per-frame work p95', `${fmt(frame.p95, 1)} ms`, '<= 8 ms', frame.p95 <= 8, `${frame.frames} frames in ${frame.seconds} s, max ${fmt(frame.max, 1)} ms, ${frame.longTasks} long tasks`);
      row('(3) messages in flight during (3)', `${fmt(frame.inFlightMedian)}`, '>= 100', frame.inFlightMedian >= 100, 'median of per-frame counts');
      row('(3) frame interval p50 / p95', `${fmt(frame.deltaP50, 1)} / ${fmt(frame.deltaP95, 1)} ms`, '-', true, 'rAF timestamp deltas (16.7 = 60 fps)');
      row('(3) first frame with the cluster', `${fmt(first.cluster)} ms`, '<= 500 ms', first.cluster <= 500, `since navigation start, cold load, median of 3; first contentful paint ${fmt(first.fcp)} ms`);
      row('(4) size, wasm+js gzip -9', `${fmt(size, 1)} KB`, '<= 200 KB', size <= 200);
      const total = (mem.jsUsed + mem.wasm) / MB;
      row(
        '(5) memory after 1 virtual hour',
        `${fmt(total, 1)} MB`,
        '<= 50 MB',
        total <= 50,
        `JS heap ${fmt(mem.jsUsed / MB, 1)} MB used + wasm memory ${fmt(mem.wasm / MB, 1)} MB; ${fmt(mem.virtualS)} virtual s in ${fmt(mem.wallS)} wall s`,
      );
    } finally {
      await browser.close();
    }
  } finally {
    server.kill();
  }

  const w = [0, 0, 0];
  for (const r of rows) {
    w[0] = Math.max(w[0], r.name.length);
    w[1] = Math.max(w[1], r.value.length);
    w[2] = Math.max(w[2], r.target.length);
  }
  console.log('');
  console.log(`${'figure'.padEnd(w[0])}  ${'value'.padStart(w[1])}  ${'target'.padEnd(w[2])}  status  notes`);
  for (const r of rows) {
    const status = r.target === '-' ? '' : r.met ? 'met' : 'MISSED';
    console.log(`${r.name.padEnd(w[0])}  ${r.value.padStart(w[1])}  ${r.target.padEnd(w[2])}  ${status.padEnd(6)}  ${r.note}`);
  }
  const [l1, l5] = os.loadavg();
  console.log(`machine: ${os.cpus().length} cores, load average ${l1.toFixed(1)} (1 min) / ${l5.toFixed(1)} (5 min) at the end`);
  if (QUICK) console.log('(BENCH_QUICK=1: shortened runs, not the real figures)');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
