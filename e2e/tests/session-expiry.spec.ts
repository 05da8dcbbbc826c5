// The session ends while actions wait on the phone: nothing is dropped, the app asks the
// person to sign in again, then sends them.
import { AppPage, countOnServer, expect, RESIDENT, test } from "./fixtures/app";

test("a queue waits through an expired session and goes out after signing in again", async ({ page, context, server }) => {
  const app = new AppPage(page, server);
  await app.signIn(RESIDENT);
  await context.setOffline(true);
  await app.open("/issues");
  await app.raiseIssue({ title: "楼下井盖松动", category: "安全隐患" });
  // The session ends on the server (as after 30 days unused) while the phone is offline.
  // (context.request is not cut off by setOffline: it stands for the server's side.)
  const ended = await context.request.delete(`${server.url}/api/session`);
  expect(ended.status()).toBe(204);
  await context.setOffline(false);

  await expect(page.getByTestId("needs-sign-in")).toContainText("登录已过期");
  await expect(app.syncState()).toHaveText("待同步");
  await app.shot("expiry-01-sign-in-again");
  expect(await countOnServer(server, "楼下井盖松动")).toBe(0);

  await page.getByTestId("needs-sign-in").getByRole("link", { name: "重新登录" }).click();
  await expect(page.getByLabel("手机号")).toHaveValue(RESIDENT);
  await page.getByLabel("密码").fill("yiwantang-demo");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByText("您好，")).toBeVisible();
  await app.open("/issues/mine");
  await expect(app.card("楼下井盖松动")).toContainText("已提交");
  await expect(page.getByTestId("needs-sign-in")).toHaveCount(0);
  expect(await countOnServer(server, "楼下井盖松动")).toBe(1);
});
