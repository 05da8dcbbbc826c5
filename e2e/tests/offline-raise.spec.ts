// A resident raises a dialogue issue with no signal; it survives a reload offline and
// reaches the server exactly once when the signal comes back.
import { AppPage, countOnServer, expect, RESIDENT, test } from "./fixtures/app";

test("an issue raised offline is kept through a reload and reaches the server once", async ({ page, context, server }) => {
  const app = new AppPage(page, server);
  await app.signIn(RESIDENT);
  await app.waitForServiceWorker();

  await context.setOffline(true);
  await app.open("/issues");
  await expect(page.getByTestId("sync-chip")).toContainText("离线");
  await app.raiseIssue({ title: "地下车库的灯不亮", category: "设施维修", place: "地下车库B区", description: "晚上停车看不清。" });
  await expect(app.syncState()).toHaveText("待同步");
  await expect(page.getByTestId("saved-note")).toContainText("已保存在手机上");
  await app.shot("offline-01-saved-on-phone");

  // Reload with no network: the service worker serves the app, the outbox still holds the issue.
  const reload = await page.reload();
  expect(reload?.fromServiceWorker()).toBe(true);
  await expect(app.syncState()).toHaveText("待同步");
  await app.open("/issues/mine");
  await expect(app.card("地下车库的灯不亮")).toContainText("待同步");
  await expect(page.getByTestId("sync-chip")).toContainText("1条待同步");
  await app.shot("offline-02-my-issues-pending");
  expect(await countOnServer(server, "地下车库的灯不亮")).toBe(0);

  await context.setOffline(false);
  await expect(app.card("地下车库的灯不亮")).toContainText("已提交");
  await expect(app.card("地下车库的灯不亮")).toContainText("待受理");
  await expect(page.getByTestId("sync-chip")).toContainText("都已同步");
  await app.shot("offline-03-my-issues-submitted");
  expect(await countOnServer(server, "地下车库的灯不亮")).toBe(1);

  // Another reload changes nothing: no second copy is ever sent.
  await page.reload();
  await expect(app.card("地下车库的灯不亮")).toContainText("已提交");
  expect(await countOnServer(server, "地下车库的灯不亮")).toBe(1);
});
