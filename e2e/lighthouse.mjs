// Lighthouse on the resident app and its offline repeat boot: printed figures, not a test.
//
// `cargo xtask bench` starts the release server with the demo township and runs this with
// YWT_BENCH_URL set to it. In one fresh Chromium profile (Debian's Chromium, started here with
// a DevTools port so that both Lighthouse and Playwright can drive the same browser):
//
// 1. Lighthouse (mobile preset: simulated slow 4G, 4× CPU) on the sign-in page, a first visit
//    with nothing stored (Lighthouse clears the origin's storage first);
// 2. the demo resident signs in through the page, and the service worker takes control;
// 3. Lighthouse on the signed-in 首页, keeping the profile's storage (the session cookie, the
//    IndexedDB rows and the service worker), which is how a resident opens the app again;
// 4. the offline repeat boot: with the network cut, navigations to `/` are timed from their
//    start to the frame that draws the home's greeting, on this machine and at a 4× CPU
//    slowdown (as Lighthouse's mobile preset simulates).
//
// Goals not reached are printed, not fatal; anything that breaks the measuring exits non-zero.
// Full Lighthouse reports (HTML) go to YWT_BENCH_OUT when it is set.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import lighthouse from "lighthouse";
import { computeMedianRun } from "lighthouse/core/lib/median-run.js";

const BASE = process.env.YWT_BENCH_URL;
const OUT = process.env.YWT_BENCH_OUT;
// Several runs, as Lighthouse advises: its simulation scales the CPU time it observes, and this
// machine's CPU is shared.
const LIGHTHOUSE_RUNS = Number(process.env.YWT_LIGHTHOUSE_RUNS ?? 5);
const BOOT_RUNS = Number(process.env.YWT_BOOT_RUNS ?? 5);
// The same browser and flags as the journeys (tests/fixtures/browser.ts; a TypeScript module
// that plain Node cannot import): without the background-networking flags Chromium floods the
// closed network here with refused connections (TOOLCHAIN.md).
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];
const RESIDENT = "13900000001";
const PASSWORD = "yiwantang-demo";
const GREETING = "您好，";
const GOALS = { performance: 95, accessibility: 100, bestPractices: 100, lcpSeconds: 2.0 };

if (!BASE) {
  console.error("YWT_BENCH_URL must name a running server (cargo xtask bench sets it)");
  process.exit(2);
}

/** Starts Chromium on a fresh profile with a DevTools port it picks itself (no race for one). */
async function startChromium(profile) {
  const child = spawn(
    CHROMIUM,
    [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr.on("data", (chunk) => (log += chunk));
  const portFile = join(profile, "DevToolsActivePort");
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Chromium exited at start:\n${log}`);
    if (existsSync(portFile)) {
      const port = Number(readFileSync(portFile, "utf8").split("\n")[0]);
      if (port > 0) return { child, port };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Chromium did not open its DevTools port:\n${log}`);
}

async function stopChromium(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** Lighthouse's median run (by FCP and TTI, as its own CLI picks one) of a few runs. */
async function audit(port, { name, slug, path, keepStorage }) {
  const runs = [];
  for (let i = 0; i < LIGHTHOUSE_RUNS; i++) {
    const result = await lighthouse(`${BASE}${path}`, {
      port,
      logLevel: "error",
      output: ["html", "json"],
      onlyCategories: ["performance", "accessibility", "best-practices"],
      disableStorageReset: keepStorage,
    });
    if (!result) throw new Error(`Lighthouse returned nothing for ${path}`);
    if (result.lhr.runtimeError) {
      throw new Error(`Lighthouse on ${path}: ${result.lhr.runtimeError.code} ${result.lhr.runtimeError.message}`);
    }
    // Figures from another Lighthouse are not the issue's figures (node_modules out of date?).
    const wanted = process.env.YWT_LIGHTHOUSE_VERSION;
    if (wanted && result.lhr.lighthouseVersion !== wanted) {
      throw new Error(`Lighthouse ${result.lhr.lighthouseVersion} ran, ${wanted} is pinned: run npm ci in e2e/`);
    }
    runs.push(result);
  }
  const lhr = computeMedianRun(runs.map((run) => run.lhr));
  const chosen = runs.find((run) => run.lhr === lhr);
  if (OUT) {
    mkdirSync(OUT, { recursive: true });
    const [html, json] = chosen.report;
    writeFileSync(join(OUT, `lighthouse-${slug}.html`), html);
    writeFileSync(join(OUT, `lighthouse-${slug}.json`), json);
  }
  const score = (id) => Math.round((lhr.categories[id].score ?? 0) * 100);
  // What keeps a category from 100: its audits that scored below 1 (informative ones aside).
  const shortfalls = ["accessibility", "best-practices"].flatMap((category) =>
    lhr.categories[category].auditRefs
      .filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 1)
      .map((ref) => `${category}: ${lhr.audits[ref.id].title}`),
  );
  return {
    name,
    path,
    performance: score("performance"),
    accessibility: score("accessibility"),
    bestPractices: score("best-practices"),
    lcpSeconds: lhr.audits["largest-contentful-paint"].numericValue / 1000,
    observedLcpSeconds: lhr.audits.metrics.details.items[0].observedLargestContentfulPaint / 1000,
    tbtMs: lhr.audits["total-blocking-time"].numericValue,
    shortfalls,
    finalUrl: lhr.finalDisplayedUrl,
    version: lhr.lighthouseVersion,
    userAgent: lhr.environment.hostUserAgent,
  };
}

async function signIn(context) {
  const page = await context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${BASE}/login`);
  await page.getByLabel("手机号").fill(RESIDENT);
  await page.getByLabel("密码").fill(PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByText(GREETING).first().waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  await page.close();
}

/**
 * Marks the first frame that draws the greeting, in page time (`performance.now()` counts from
 * the navigation's start). Runs in every document before the app's own scripts.
 */
function markGreeting(greeting) {
  const look = () => {
    if (window.__ywtShown !== undefined || !document.body?.textContent.includes(greeting)) return;
    window.__ywtShown = null;
    observer.disconnect();
    requestAnimationFrame(() => (window.__ywtShown = performance.now()));
  };
  const observer = new MutationObserver(look);
  observer.observe(document, { childList: true, subtree: true, characterData: true });
}

/** Offline navigations to `/` timed until the greeting is drawn; `cpu` slows the CPU down. */
async function offlineBoots(page, cdp, cpu) {
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: cpu });
  const times = [];
  const fromServiceWorker = [];
  for (let i = 0; i < BOOT_RUNS; i++) {
    await page.goto("about:blank");
    const response = await page.goto(`${BASE}/`, { waitUntil: "commit" });
    fromServiceWorker.push(response?.fromServiceWorker() ?? false);
    const shown = await page.waitForFunction(() => typeof window.__ywtShown === "number" && window.__ywtShown, null, {
      timeout: 60_000,
    });
    times.push(await shown.jsonValue());
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  return { times, fromServiceWorker };
}

async function offlineRepeatBoot(context) {
  const page = await context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.addInitScript(markGreeting, GREETING);
  // Online once, so this tab is controlled and the home has fresh rows, as a phone left it.
  await page.goto(`${BASE}/`);
  await page.getByText(GREETING).first().waitFor({ timeout: 30_000 });
  await context.setOffline(true);
  const cdp = await context.newCDPSession(page);
  const fast = await offlineBoots(page, cdp, 1);
  const slow = await offlineBoots(page, cdp, 4);
  await context.setOffline(false);
  await page.close();
  return { fast, slow };
}

const median = (numbers) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function printAudits(pages) {
  const { version, userAgent } = pages[0];
  const chrome = userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? userAgent;
  console.log(`\n==> Lighthouse ${version}, mobile preset (simulated slow 4G, 4× CPU), ${chrome}, median of ${LIGHTHOUSE_RUNS} runs`);
  const row = (cells) => `    ${cells[0].padEnd(24)}${cells.slice(1).map((c) => String(c).padStart(14)).join("")}`;
  console.log(row(["page", "performance", "accessibility", "best pract.", "LCP (s)", "TBT (ms)"]));
  for (const p of pages) {
    console.log(row([`${p.name} ${p.path}`, p.performance, p.accessibility, p.bestPractices, p.lcpSeconds.toFixed(1), Math.round(p.tbtMs)]));
  }
  console.log(row(["goal", `≥ ${GOALS.performance}`, GOALS.accessibility, GOALS.bestPractices, `≤ ${GOALS.lcpSeconds.toFixed(1)}`, ""]));
  const missed = pages.flatMap((p) => [
    p.performance < GOALS.performance ? `${p.name}: performance ${p.performance} < ${GOALS.performance}` : null,
    p.accessibility < GOALS.accessibility ? `${p.name}: accessibility ${p.accessibility} < ${GOALS.accessibility}` : null,
    p.bestPractices < GOALS.bestPractices ? `${p.name}: best practices ${p.bestPractices} < ${GOALS.bestPractices}` : null,
    p.lcpSeconds > GOALS.lcpSeconds ? `${p.name}: LCP ${p.lcpSeconds.toFixed(1)} s > ${GOALS.lcpSeconds.toFixed(1)} s` : null,
    ...p.shortfalls.map((s) => `${p.name}: ${s}`),
  ]).filter(Boolean);
  console.log(missed.length ? `    goals not reached:\n${missed.map((m) => `      - ${m}`).join("\n")}` : "    all goals reached");
  for (const p of pages) {
    if (new URL(p.finalUrl).pathname !== p.path) console.log(`    note: ${p.name} ended at ${p.finalUrl}`);
  }
  // A page the service worker controls gets its files with 0 bytes transferred, so the
  // simulated slow 4G costs it almost nothing and its figures are mostly CPU time: the LCP seen
  // unthrottled on this machine is printed too, to keep that visible.
  console.log(`    LCP seen, unthrottled: ${pages.map((p) => `${p.name} ${p.observedLcpSeconds.toFixed(2)} s`).join(", ")}`);
  console.log("    (the signed-in home is a repeat visit: its files come from the service worker, 0 bytes over the simulated 4G)");
  if (OUT) console.log(`    reports: ${OUT}/lighthouse-*.html and .json`);
}

function printBoot({ fast, slow }) {
  const all = [...fast.fromServiceWorker, ...slow.fromServiceWorker];
  const bySw = all.every(Boolean) ? "yes, every run" : `NO (${all.filter(Boolean).length} of ${all.length} runs)`;
  const ms = (times) => `${Math.round(median(times))} ms (runs: ${times.map((t) => Math.round(t)).join(", ")})`;
  console.log(`\n==> offline repeat boot: navigation to the signed-in 首页 drawing "${GREETING}", network cut`);
  console.log(`    served by the service worker: ${bySw}`);
  console.log(`    median of ${BOOT_RUNS}, this machine:      ${ms(fast.times)}`);
  console.log(`    median of ${BOOT_RUNS}, 4× CPU slowdown:   ${ms(slow.times)}`);
}

const profile = mkdtempSync(join(tmpdir(), "ywt-lighthouse-"));
let chrome;
let browser;
try {
  const started = await startChromium(profile);
  chrome = started.child;
  const signInPage = await audit(started.port, { name: "sign-in", slug: "sign-in", path: "/login", keepStorage: false });
  browser = await chromium.connectOverCDP(`http://127.0.0.1:${started.port}`);
  const context = browser.contexts()[0];
  await signIn(context);
  const home = await audit(started.port, { name: "signed-in home", slug: "home", path: "/", keepStorage: true });
  const boot = await offlineRepeatBoot(context);
  printAudits([signInPage, home]);
  printBoot(boot);
} finally {
  // Over CDP, close() only disconnects; the browser is ours to stop.
  await browser?.close().catch(() => {});
  if (chrome) await stopChromium(chrome);
  rmSync(profile, { recursive: true, force: true });
}
