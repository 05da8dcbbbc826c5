// The server dies in the middle of a push: the phone keeps the issue, retries with backoff,
// and the server ends up with exactly one copy.
import { AppPage, countOnServer, expect, RESIDENT, test } from "./fixtures/app";

test("the server is killed after committing a push, before the phone hears back", async ({ page, server }) => {
  const app = new AppPage(page, server);
  await app.signIn(RESIDENT);
  let crashed: Promise<void> | undefined;
  await page.route("**/api/sync/push", async (route) => {
    if (crashed) return route.fallback();
    // The server processes and commits the push; then it dies and the response is lost.
    crashed = route.fetch().then(() => server.kill());
    await crashed;
    await route.abort("connectionreset");
  });
  await app.open("/issues");
  await app.raiseIssue({ title: "垃圾分类亭没人管", category: "环境卫生" });
  await expect.poll(() => crashed !== undefined).toBe(true);
  await crashed;
  await expect(app.syncState()).toHaveText("待同步");
  await app.shot("crash-01-waiting-after-lost-response");

  await server.boot();
  await expect(app.syncState()).toHaveText("已提交", { timeout: 45_000 });
  expect(await countOnServer(server, "垃圾分类亭没人管")).toBe(1);
});

test("the server is down when the phone pushes, and comes back", async ({ page, context, server }) => {
  const app = new AppPage(page, server);
  await app.signIn(RESIDENT);
  await context.setOffline(true);
  await app.open("/issues");
  await app.raiseIssue({ title: "单元门禁坏了", category: "安全隐患", place: "7栋" });
  await server.kill();
  await context.setOffline(false);
  // The push fails (connection refused); the issue stays queued and honest.
  await page.waitForTimeout(1500);
  await expect(app.syncState()).toHaveText("待同步");
  await server.boot();
  await expect(app.syncState()).toHaveText("已提交", { timeout: 45_000 });
  expect(await countOnServer(server, "单元门禁坏了")).toBe(1);
});
