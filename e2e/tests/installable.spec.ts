// Chromium considers the app installable: manifest, icons, service worker.
import { chromium } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "./fixtures/app";
import { CHROMIUM, CHROMIUM_ARGS } from "./fixtures/browser";

test("Chromium reports no installability errors", async ({ server }) => {
  // Installability is only reported in a persistent (non-incognito) profile.
  const profile = mkdtempSync(join(tmpdir(), "ywt-profile-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 20_000 });
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    expect(installabilityErrors).toEqual([]);
    const manifest = await (await page.request.get(`${server.url}/manifest.webmanifest`)).json();
    expect(manifest.name).toBe("一碗汤");
    expect(manifest.display).toBe("standalone");
    expect(manifest.icons.map((icon: { sizes: string; purpose: string }) => `${icon.sizes} ${icon.purpose}`)).toEqual([
      "192x192 any",
      "512x512 any",
      "512x512 maskable",
    ]);
  } finally {
    await context.close();
  }
});
