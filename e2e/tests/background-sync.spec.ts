// Background Sync (Chromium): an issue queued offline reaches the server after the tab was
// closed, pushed by the service worker when the network returns.
import { AppPage, countOnServer, expect, RESIDENT, test } from "./fixtures/app";

test("the service worker pushes the queue after the tab is closed", async ({ page, context, server }) => {
  const app = new AppPage(page, server);
  await app.signIn(RESIDENT);
  await app.waitForServiceWorker();
  await context.setOffline(true);
  await app.open("/issues");
  await app.raiseIssue({ title: "关了页面也要送到", category: "其他" });
  await expect(app.syncState()).toHaveText("待同步");
  await page.close();

  await context.setOffline(false);
  await expect.poll(() => countOnServer(server, "关了页面也要送到"), { timeout: 30_000 }).toBe(1);

  // The next time the app opens, it settles the queue from the server's stored result.
  const again = new AppPage(await context.newPage(), server);
  await again.open("/issues/mine");
  await expect(again.card("关了页面也要送到")).toContainText("已提交");
  expect(await countOnServer(server, "关了页面也要送到")).toBe(1);
});
