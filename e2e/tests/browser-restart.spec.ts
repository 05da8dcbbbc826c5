// The outbox survives closing the whole browser: relaunched offline on the same profile, the
// app opens from the service worker with the issue still queued, and sends it once online.
import { chromium } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppPage, countOnServer, expect, RESIDENT, test } from "./fixtures/app";
import { CHROMIUM, CHROMIUM_ARGS } from "./fixtures/browser";

test("a queued issue survives a browser restart", async ({ server }) => {
  const profile = mkdtempSync(join(tmpdir(), "ywt-profile-"));
  const launch = () =>
    chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      viewport: { width: 390, height: 844 },
      locale: "zh-CN",
    });

  const first = await launch();
  const app = new AppPage(first.pages()[0] ?? (await first.newPage()), server);
  await app.signIn(RESIDENT);
  await app.waitForServiceWorker();
  // Keep the service worker from sending it in the background: this test is about storage.
  await first.route("**/api/sync/push", (route) => route.abort("internetdisconnected"));
  await first.setOffline(true);
  await app.open("/issues");
  await app.raiseIssue({ title: "重启浏览器后还在", category: "其他" });
  await expect(app.syncState()).toHaveText("待同步");
  await first.close();
  expect(await countOnServer(server, "重启浏览器后还在")).toBe(0);

  const second = await launch();
  try {
    await second.setOffline(true);
    const again = new AppPage(second.pages()[0] ?? (await second.newPage()), server);
    await again.open("/issues/mine");
    await expect(again.card("重启浏览器后还在")).toContainText("待同步");
    await second.setOffline(false);
    await expect(again.card("重启浏览器后还在")).toContainText("已提交");
    expect(await countOnServer(server, "重启浏览器后还在")).toBe(1);
  } finally {
    await second.close();
  }
});
