// Playwright runs each user journey against the release build served by the real server
// (one server and database per test, started by the fixtures), in Debian's Chromium.
import { defineConfig } from "@playwright/test";
import { CHROMIUM, CHROMIUM_ARGS } from "./tests/fixtures/browser";

export default defineConfig({
  testDir: "./tests",
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
    trace: "retain-on-failure",
  },
  // WebKitGTK (the engine of every iPhone browser) through WebDriver, its own browser rather
  // than Playwright's, runs after the journeys; the chaos run goes last and alone: its
  // phones and faults would otherwise slow the journeys running beside it.
  projects: [
    { name: "journeys", testIgnore: /(chaos|webkit)\.spec\.ts/ },
    { name: "webkit", testMatch: /webkit\.spec\.ts/, dependencies: ["journeys"] },
    { name: "chaos", testMatch: /chaos\.spec\.ts/, dependencies: ["webkit"] },
  ],
});
