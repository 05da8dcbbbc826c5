// Every screen of both apps at phone size (390×844), in both modes (and English for the
// resident app), saved to e2e/screenshots/ to be looked at, each checked by the audit (targets,
// contrast, 长辈版 text, nothing under the tab bar) and axe-core. Also: a refusal from the
// server stays visible with its reason, and bad input is explained before anything is queued.
import { Page } from "@playwright/test";
import { AppPage, expect, GUARD, RESIDENT, test } from "./fixtures/app";
import { audit } from "./fixtures/audit";

const NORMAL = { minTarget: 44 };
const ELDER = { minTarget: 60, minText: 18 };

test("the resident's screens", async ({ page, server }) => {
  const app = new AppPage(page, server);
  await app.open("/");
  await expect(page.getByLabel("手机号")).toBeVisible();
  await app.shot("screen-01-login");
  await audit(page, NORMAL);

  await page.getByLabel("手机号").fill("123");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByText("手机号的格式不对")).toBeVisible();
  await page.getByLabel("手机号").fill(RESIDENT);
  await page.getByLabel("密码").fill("wrong-password");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByTestId("sign-in-error")).toHaveText("手机号或密码不对，请再试一次");
  await app.shot("screen-02-login-error");

  await app.signIn(RESIDENT);
  await app.shot("screen-03-home");
  await audit(page, NORMAL);

  await app.open("/issues");
  await expect(page.getByTestId("issue-card").first()).toBeVisible();
  await expect(page.getByText("何*芳").first()).toBeVisible();
  await app.shot("screen-04-community-issues");
  await audit(page, NORMAL);

  await page.getByTestId("raise-issue").first().click();
  await page.getByTestId("submit-issue").click();
  await expect(page.getByTestId("error-title")).toHaveText("请填写标题");
  await expect(page.getByTestId("error-category")).toHaveText("请选择类别");
  await page.getByLabel("标题").fill("灯".repeat(41));
  await expect(page.getByTestId("error-title")).toHaveText("标题最多40个字，现在有41个字");
  await app.shot("screen-05-form-errors");
  await audit(page, NORMAL);

  await page.getByLabel("标题").fill("健身区的长椅坏了");
  await page.getByRole("radio", { name: "设施维修" }).check();
  await page.getByLabel("地点").fill("中心花园");
  await page.getByLabel("详细说明").fill("长椅的一条腿断了，老人坐上去很危险。");
  await app.shot("screen-06-form-filled");
  await page.getByTestId("submit-issue").click();
  await expect(app.syncState()).toHaveText("已提交");
  await app.shot("screen-07-issue-detail");
  await audit(page, NORMAL);

  await app.open("/issues/mine");
  await expect(app.card("健身区的长椅坏了")).toBeVisible();
  await app.shot("screen-08-my-issues");
  await audit(page, NORMAL);

  await app.open("/market");
  // 杉湾花园 holds no market: the page says so plainly.
  await expect(page.getByTestId("market-none")).toBeVisible();
  await app.shot("screen-09-market-none");
  await audit(page, NORMAL);
  await app.open("/parking");
  // 杉湾花园's 12 孝心车位: how many are free, for how long, when the gate is open.
  await expect(page.getByTestId("parking-pool")).toContainText("共12个车位");
  await app.shot("screen-10-parking");
  await audit(page, NORMAL);

  await app.open("/me");
  await app.shot("screen-11-me");
  await audit(page, NORMAL);
  await app.open("/sync");
  await expect(page.getByTestId("sync-status")).toContainText("在线");
  await app.shot("screen-12-sync-status");
  await audit(page, NORMAL);

  // 长辈版: bigger text and targets everywhere (MIIT: ≥ 18 px body, ≥ 60 px targets).
  await app.open("/");
  await page.getByTestId("elder-switch").click();
  await expect(page.getByTestId("elder-switch")).toHaveAttribute("aria-checked", "true");
  const bodySize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  expect(bodySize).toBeGreaterThanOrEqual(18);
  const smallest = await page.evaluate(() =>
    Math.min(...[...document.querySelectorAll("a.button, button, .tab")].map((e) => e.getBoundingClientRect().height)),
  );
  expect(smallest).toBeGreaterThanOrEqual(60);
  const largest = await page.evaluate(() =>
    Math.max(...[...document.querySelectorAll("h1, .hello")].map((e) => parseFloat(getComputedStyle(e).fontSize))),
  );
  expect(largest).toBeGreaterThanOrEqual(30);
  await app.shot("screen-13-home-elder");
  await audit(page, ELDER);
  await app.open("/issues");
  await app.shot("screen-14-issues-elder");
  await audit(page, ELDER);
  await app.open("/issues/new");
  await app.shot("screen-15-form-elder");
  await audit(page, ELDER);
  await app.open("/ledger");
  await expect(page.getByTestId("figures")).toBeVisible();
  await app.shot("screen-15b-ledger-elder");
  await audit(page, ELDER);
  for (const [path, name] of [["/issues/mine", "15c-my-issues-elder"], ["/me", "15d-me-elder"], ["/sync", "15e-sync-elder"], ["/market", "15f-market-elder"]]) {
    await app.open(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await app.shot(`screen-${name}`);
    await audit(page, ELDER);
  }
  await app.open("/");
  await page.getByTestId("elder-switch").click();

  // English, through the same i18n layer.
  await app.open("/me");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Me" })).toBeVisible();
  await app.open("/");
  await expect(page.getByText("Raise an issue").first()).toBeVisible();
  await app.shot("screen-16-home-english");
  await audit(page, NORMAL);
  await app.open("/issues");
  await expect(page.getByText("Repairs").first()).toBeVisible();
  await app.shot("screen-17-issues-english");
  await audit(page, NORMAL);
});

test("集市: a resident of 九龙花园 sees the next market's services and the seats left, offline too", async ({ page, server }) => {
  const app = new AppPage(page, server);
  await app.open("/");
  await app.signIn("13900000004");
  await app.open("/market");
  const haircut = page.getByTestId("market-service").filter({ hasText: "理发" });
  await expect(haircut).toContainText("新时代文明实践站");
  await expect(haircut.getByTestId("market-slot")).toHaveCount(6);
  await expect(haircut.getByTestId("market-slot").first()).toHaveText(/08:30–09:00\s*余2位/);
  const errands = page.getByTestId("market-service").filter({ hasText: "跑买办" });
  await expect(errands).toContainText("上门服务");
  await expect(page.getByTestId("market-service")).toHaveCount(7);
  await app.shot("screen-09b-market");
  await audit(page, NORMAL);
  // Offline, from the phone's storage.
  await app.waitForServiceWorker();
  await page.context().setOffline(true);
  await page.reload();
  await expect(haircut.getByTestId("market-slot")).toHaveCount(6);
  await page.context().setOffline(false);
  await app.open("/");
  await page.getByTestId("elder-switch").click();
  await expect(page.getByTestId("elder-switch")).toHaveAttribute("aria-checked", "true");
  await app.open("/market");
  await expect(haircut.getByTestId("market-slot").first()).toContainText("余2位");
  await app.shot("screen-09c-market-elder");
  await audit(page, ELDER);
});

test("the resident app's first screens before signing in", async ({ page, server }) => {
  const app = new AppPage(page, server);
  for (const [path, name] of [["/login", "login"], ["/join", "join-code"], ["/privacy", "privacy"]]) {
    await app.open(path);
    await expect(page.getByRole("heading", { level: 1 }).or(page.getByLabel("手机号")).first()).toBeVisible();
    await app.shot(`screen-00-${name}`);
    await audit(page, NORMAL);
  }
});

/** Opens a work app screen, waits for what it shows, saves and checks it. */
async function workScreen(app: AppPage, path: string, ready: (page: Page) => Promise<void>, name: string, rules: typeof NORMAL) {
  await app.open(`/work${path}`);
  await ready(app.page);
  await app.shot(`work-${name}`);
  await audit(app.page, rules);
}

test("the work app's screens, for staff, the property company and the township", async ({ browser, page, server }) => {
  const staff = new AppPage(page, server);
  await staff.signIn("13900000301");
  await expect(page).toHaveURL(/\/work\/$/);
  const firstIssue = page.getByTestId("to-handle").getByTestId("issue-card").first();
  await expect(firstIssue).toBeVisible();
  const issuePath = (await firstIssue.getAttribute("href"))!.replace("/work", "");
  for (const [elder, rules] of [[false, NORMAL], [true, ELDER]] as const) {
    const mode = elder ? "elder" : "normal";
    if (elder) {
      await staff.open("/work/");
      await page.getByTestId("elder-switch").click();
      await expect(page.getByTestId("elder-switch")).toHaveAttribute("aria-checked", "true");
    }
    await workScreen(staff, "/", (p) => expect(p.getByTestId("to-handle")).toBeVisible(), `01-home-${mode}`, rules);
    await workScreen(staff, "/issues", (p) => expect(p.getByTestId("issue-list")).toBeVisible(), `02-issues-${mode}`, rules);
    await workScreen(staff, issuePath, (p) => expect(p.getByTestId("staff-decision")).toBeVisible(), `03-issue-staff-${mode}`, rules);
    await workScreen(staff, "/dialogues", (p) => expect(p.getByTestId("dialogue-list")).toBeVisible(), `04-dialogues-${mode}`, rules);
    await page.getByTestId("dialogue-list").locator("a").first().click();
    await expect(page.getByTestId("agenda")).toBeVisible();
    await staff.shot(`work-05-dialogue-${mode}`);
    await audit(page, rules);
    await workScreen(staff, "/ledger", (p) => expect(p.getByTestId("chart")).toBeVisible(), `06-ledger-${mode}`, rules);
    await workScreen(staff, "/staff", (p) => expect(p.getByTestId("invite-form")).toBeVisible(), `07-invitations-${mode}`, rules);
    await workScreen(staff, "/staff/people", (p) => expect(p.getByTestId("person-card").first()).toBeVisible(), `08-people-${mode}`, rules);
    await workScreen(staff, "/staff/households", (p) => expect(p.getByTestId("household-form")).toBeVisible(), `09-households-${mode}`, rules);
    await workScreen(staff, "/sync", (p) => expect(p.getByTestId("sync-status")).toBeVisible(), `10-sync-${mode}`, rules);
  }

  // The property company answers; the township sees the whole township's ledger.
  const propertyContext = await browser.newContext();
  const property = new AppPage(await propertyContext.newPage(), server);
  await property.signIn("13900000201");
  await workScreen(property, "/", (p) => expect(p.getByRole("heading", { name: "工作台" })).toBeVisible(), "11-property-home", NORMAL);
  const townshipContext = await browser.newContext();
  const township = new AppPage(await townshipContext.newPage(), server);
  await township.signIn("13900000501");
  await workScreen(township, "/ledger", (p) => expect(p.getByTestId("figures")).toBeVisible(), "12-township-ledger", NORMAL);
  await propertyContext.close();
  await townshipContext.close();
});

test("a refusal from the server stays on the phone with its reason", async ({ page, server }) => {
  const app = new AppPage(page, server);
  // A guard holds no resident role, so the server refuses their issue for good.
  await app.signIn(GUARD);
  await app.open("/issues");
  await app.raiseIssue({ title: "保安发现的问题", category: "其他" });
  // The issue's own page turns from 待同步 to 未成功 and says why.
  await expect(app.syncState()).toHaveText("未成功");
  await expect(page.getByTestId("failed-reason")).toHaveText("您没有权限做这件事");
  await app.shot("screen-18a-issue-refused");
  await app.open("/sync");
  const failed = page.getByTestId("failed-item");
  await expect(failed).toContainText("保安发现的问题");
  await expect(page.getByTestId("failed-reason")).toHaveText("您没有权限做这件事");
  await expect(failed).toContainText("未成功");
  await expect(page.getByTestId("sync-chip")).toContainText("1条未成功");
  await app.shot("screen-18-sync-failed");
  await audit(page, NORMAL);
  await app.open("/");
  await expect(page.getByTestId("failed-alert")).toContainText("1条未成功");
  await app.shot("screen-19-home-failed-alert");

  // Writing it again cannot fix a refusal of permission: only discarding is offered, and it asks first.
  await app.open("/sync");
  await expect(page.getByText("修改后重新提交")).toHaveCount(0);
  await page.getByText("不要了，删除").click();
  await page.getByText("确定删除").click();
  await expect(page.getByTestId("failed-item")).toHaveCount(0);
});
