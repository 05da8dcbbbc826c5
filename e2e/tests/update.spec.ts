// A new version is announced and waits for the person: the open tab keeps working on the
// version it loaded, and 现在更新 switches to the new one.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test as base } from "@playwright/test";
import { AppPage, expect, RESIDENT } from "./fixtures/app";
import { DIST, Server } from "./fixtures/server";

const test = base.extend<{ copy: string; server: Server }>({
  // A copy of the release build that this test may change under the running server.
  copy: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), "ywt-dist-"));
    cpSync(DIST!, dir, { recursive: true });
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
  server: async ({ copy }, use) => {
    const server = await Server.start(copy);
    await use(server);
    await server.stop();
  },
});

test("a new version waits for the person's consent and never breaks the open tab", async ({ page, server, copy }) => {
  const app = new AppPage(page, server);
  await app.signIn(RESIDENT);
  await app.waitForServiceWorker();
  const firstVersion = await page.evaluate(async () => (await caches.keys()).join(","));
  // An action waits in the outbox across the update (its pushes fail for now).
  await page.route("**/api/sync/push", (route) => route.abort("internetdisconnected"));
  await app.open("/issues");
  await app.raiseIssue({ title: "更新前排队的问题", category: "其他" });
  await expect(app.syncState()).toHaveText("待同步");

  // Deploy a "new version": same app, a new service worker.
  const sw = join(copy, "sw.js");
  for (const file of [sw, `${sw}.br`, `${sw}.gz`]) rmSync(file, { force: true });
  writeFileSync(sw, readFileSync(join(DIST!, "sw.js"), "utf8").replace(/const VERSION = "[0-9a-f]+"/, 'const VERSION = "e2e-next"'));
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());

  await expect(page.getByText("一碗汤有新版本。")).toBeVisible();
  await app.shot("update-01-new-version-offered");
  // Until the person agrees, the old worker keeps serving this tab.
  await app.open("/issues");
  await expect(page.getByTestId("issue-card").first()).toBeVisible();
  expect(await page.evaluate(async () => (await caches.keys()).join(","))).toContain(firstVersion);

  await page.getByRole("button", { name: "现在更新" }).click();
  await page.waitForFunction(async () => (await caches.keys()).includes("ywt-shell-e2e-next"));
  await expect(page.getByTestId("issue-card").first()).toBeVisible();
  await expect(page.getByText("一碗汤有新版本。")).toHaveCount(0);
  expect(await page.evaluate(async () => (await caches.keys()).join(","))).toBe("ywt-shell-e2e-next");

  // The new version finds the queued action and sends it once pushes get through.
  await app.open("/issues/mine");
  await expect(app.card("更新前排队的问题")).toContainText("待同步");
  await page.unroute("**/api/sync/push");
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(app.card("更新前排队的问题")).toContainText("已提交");
});
