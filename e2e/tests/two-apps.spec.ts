// Two apps on one core: the resident app at / and the work app at /work/ share one
// IndexedDB, one outbox and one sync engine. A member of staff who lives in the community
// queues in one app and the other with no signal, and both actions reach the server once, in
// order. A resident with no work role never downloads the work app.
import { Request } from "@playwright/test";
import { AppPage, countOnServer, expect, RESIDENT, test } from "./fixtures/app";

const STAFF_WHO_LIVES_HERE = "13900000303"; // 许文博: community staff and resident, 杉湾花园
const TITLE = "两个应用之间排队的问题";

/** Waits until the service worker holds the work app's shell. */
async function workAppKept(app: AppPage): Promise<void> {
  await expect
    .poll(() =>
      app.page.evaluate(async () => {
        for (const key of await caches.keys()) {
          if (key.startsWith("ywt-work-") && (await (await caches.open(key)).match("/work/index.html"))) return true;
        }
        return false;
      }),
    )
    .toBe(true);
}

test("a resident who is also staff queues in both apps offline; both actions reach the server once, in order", async ({ context, page, server }) => {
  const app = new AppPage(page, server);
  await app.signIn(STAFF_WHO_LIVES_HERE);
  // A resident too: they land in the resident app, with the way to the work app.
  await expect(page.getByTestId("open-work-app")).toBeVisible();
  await app.waitForServiceWorker();
  await workAppKept(app);

  // No signal: raised in the resident app.
  await context.setOffline(true);
  await app.open("/issues");
  await app.raiseIssue({ title: TITLE, category: "设施维修", place: "6栋" });
  await expect(app.syncState()).toHaveText("待同步");
  const id = page.url().split("/issues/")[1].split("?")[0];

  // Still no signal: the work app opens from the service worker, shows the same queued issue
  // and accepts it as a project, queued after the raise in the same outbox.
  await page.getByTestId("handle-in-work-app").click();
  await expect(page).toHaveURL(new RegExp(`/work/issues/${id}$`));
  await expect(app.syncState()).toHaveText("待同步");
  await page.getByTestId("accept-issue").click();
  await expect(page.getByTestId("sync-chip")).toContainText("2条待同步");
  await app.shot("two-apps-01-work-offline");

  // Signal again: the work app pushes both; the accept needs the raise, so order matters.
  await context.setOffline(false);
  await expect(app.syncState()).toHaveText("已提交");
  await expect(page.getByTestId("issue-detail").getByTestId("status")).toHaveText("已立项");
  await expect(page.getByTestId("sync-chip")).toContainText("都已同步");
  expect(await countOnServer(server, TITLE)).toBe(1);

  // The resident app shows the same, settled.
  await app.open(`/issues/${id}`);
  await expect(app.syncState()).toHaveText("已提交");
  await expect(page.getByTestId("issue-detail").getByTestId("status")).toHaveText("已立项");
  await expect(page.getByTestId("sync-chip")).toContainText("都已同步");
  await app.shot("two-apps-02-resident-settled");
});

test("a resident with no work role never requests the work app's files", async ({ context, page, server }) => {
  const requested: string[] = [];
  const log = (request: Request) => requested.push(new URL(request.url()).pathname);
  context.on("request", log);
  const app = new AppPage(page, server);
  await app.signIn(RESIDENT);
  await app.waitForServiceWorker();
  for (const path of ["/", "/issues", "/issues/mine", "/ledger", "/me", "/sync"]) await app.open(path);
  await expect(page.getByTestId("open-work-app")).toHaveCount(0);
  await page.reload();
  await expect(page.getByText("您好，").or(page.getByTestId("sync-status"))).toBeVisible();
  expect(requested.filter((path) => path.startsWith("/work"))).toEqual([]);
  expect(await page.evaluate(async () => (await caches.keys()).filter((key) => key.startsWith("ywt-work-")))).toEqual([]);

  // The same log does see the work app when someone with a work role signs in: the service
  // worker fetches it for them.
  const staffContext = await context.browser()!.newContext();
  const staffRequests: string[] = [];
  staffContext.on("request", (request) => staffRequests.push(new URL(request.url()).pathname));
  const staff = new AppPage(await staffContext.newPage(), server);
  await staff.signIn(STAFF_WHO_LIVES_HERE);
  await staff.waitForServiceWorker();
  await workAppKept(staff);
  expect(staffRequests.filter((path) => path.startsWith("/work/"))).not.toEqual([]);
  await staffContext.close();
});
