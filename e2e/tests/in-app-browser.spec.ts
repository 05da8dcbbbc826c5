// Opened from a WeChat group: the first open happens inside WeChat's own browser. On an
// iPhone that is a WKWebView with no service worker at all; on Android, WeChat's Chromium
// where installing is not offered. Everything but opening offline works there: signing in,
// raising and booking offline while the page stays open, each reaching the server once
// when the network returns (the sync engine's own triggers, no Background Sync); a guide,
// shown once, tells how to open 一碗汤 in the phone's own browser and add it to the home
// screen; 我的 says honestly what the host may clear.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppPage, expect, test } from "./fixtures/app";
import { audit } from "./fixtures/audit";
import { passLink } from "./fixtures/camera";

const ZHAO = "13900000004"; // 赵玉珍, 九龙花园 (the market is there)
const WECHAT_IOS =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x1800312b) NetType/WIFI Language/zh_CN";
const WECHAT_ANDROID =
  "Mozilla/5.0 (Linux; Android 13; V2154A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2568 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";

for (const phone of [
  { name: "iPhone (WKWebView: no service worker at all)", agent: WECHAT_IOS, noServiceWorker: true, openIn: "在Safari中打开" },
  { name: "Android (service workers blocked)", agent: WECHAT_ANDROID, noServiceWorker: false, openIn: "在浏览器打开" },
]) {
  test(`inside WeChat on ${phone.name}: raise and book offline while the page is open, each reaches the server once; the guide shows once`, async ({ browser, server }) => {
    test.setTimeout(120_000);
    const context = await browser.newContext({ userAgent: phone.agent, serviceWorkers: "block", viewport: { width: 390, height: 844 } });
    if (phone.noServiceWorker) {
      // WKWebView has no navigator.serviceWorker: the app must not even touch it.
      await context.addInitScript(() => {
        delete (Navigator.prototype as any).serviceWorker;
      });
    }
    // A shared invitation link's preview in the chat: WeChat and QQ read these from the page.
    const html = await (await fetch(`${server.url}/join/ABCDEFGHJK`)).text();
    expect(html).toMatch(/<meta property="og:title" content="一碗汤[^"]+"/);
    expect(html).toMatch(/<meta property="og:description" content="[^"]{20,}"/);
    expect(html).toContain('<meta itemprop="image" content="/icons/icon-512.png"');
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const app = new AppPage(page, server);
    await app.signIn(ZHAO);
    expect(await page.evaluate(() => "serviceWorker" in navigator)).toBe(!phone.noServiceWorker);

    // The guide, in plain words with a picture of where to tap; in both modes, axe clean.
    const guide = page.getByTestId("in-app-guide");
    await expect(guide).toContainText("您正在微信里使用一碗汤");
    await expect(guide).toContainText("点右上角的「···」");
    await expect(guide).toContainText(phone.openIn);
    await app.shot(`in-app-01-guide-${phone.noServiceWorker ? "ios" : "android"}`);
    await audit(page, { minTarget: 44 });
    // The picture's words as drawn on the screen, in px (the SVG scales with the width).
    const pictureWords = () => guide.locator(".guide-picture text.strong").evaluate((text) => (text as SVGTextElement).getBoundingClientRect().height);
    const standardWords = await pictureWords();
    await app.open("/me");
    await expect(page.getByTestId("data-safety-in-app")).toContainText("清理微信的缓存");
    // Blocked or absent, no worker ever controls the page: 我的 says it cannot open offline.
    await expect(page.getByTestId("data-safety-no-offline")).toContainText("没网时打不开");
    await page.getByTestId("elder-switch").click();
    await expect(guide).toBeVisible();
    await app.shot(`in-app-02-guide-elder-${phone.noServiceWorker ? "ios" : "android"}`);
    await audit(page, { minTarget: 60 });
    // 长辈版's large type reaches the picture's words too.
    expect(await pictureWords()).toBeGreaterThan(standardWords * 1.25);
    await page.getByTestId("elder-switch").click();
    // Dismissed, it never comes back: not after a reload, not on another page.
    await guide.getByTestId("in-app-guide-dismiss").click();
    await expect(guide).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId("data-safety-in-app")).toBeVisible();
    await expect(guide).toHaveCount(0);

    // Offline with the page open: an issue and a booking wait on the phone.
    // (Offline, with no service worker, a page load fails: the person moves within the page.)
    await app.open("/market");
    await expect(page.getByTestId("market-service")).toHaveCount(7);
    await app.open("/issues");
    await context.setOffline(true);
    const title = `微信里提的问题${phone.noServiceWorker ? "一" : "二"}`;
    await app.raiseIssue({ title, category: "设施维修", place: "2栋楼道", description: "楼道灯坏了。" });
    await expect(app.syncState()).toHaveText("待同步");
    const note = `微信里预约${phone.noServiceWorker ? "一" : "二"}`;
    await page.locator(".tab", { hasText: "集市" }).click();
    const plumber = page.getByTestId("market-service").filter({ hasText: "水电维修" });
    await plumber.getByTestId("market-slot").first().click();
    await page.getByLabel("上门说明（可不填）").fill(note);
    await page.getByTestId("confirm-booking-button").click();
    const booking = page.getByTestId("booking").filter({ hasText: "水电维修" });
    await expect(booking.getByTestId("booking-state")).toHaveText("待同步");
    expect(server.sql(`SELECT count(*) FROM issues WHERE title = '${title}';`).trim()).toBe("0");

    // Back online: each reaches the server once, and the phone says what the server said.
    await context.setOffline(false);
    await expect(booking.getByTestId("booking-state")).toHaveText("已预约", { timeout: 20_000 });
    await expect.poll(() => server.sql(`SELECT count(*) FROM issues WHERE title = '${title}';`).trim(), { timeout: 20_000 }).toBe("1");
    expect(server.sql(`SELECT count(*) FROM bookings WHERE note = '${note}';`).trim()).toBe("1");

    // The pass's QR code, scanned by WeChat's own scanner, opens in WeChat's browser: the
    // pass page shows, with no account and no service worker (and no guide for a visitor).
    await booking.getByTestId("show-pass").click();
    const link = await passLink(app);
    expect(link).toMatch(new RegExp(`^${server.url}/p#[A-Za-z0-9_-]{100,}$`));
    const scanned = await browser.newContext({ userAgent: phone.agent, serviceWorkers: "block", viewport: { width: 390, height: 844 } });
    if (phone.noServiceWorker) {
      await scanned.addInitScript(() => {
        delete (Navigator.prototype as any).serviceWorker;
      });
    }
    const visitor = await scanned.newPage();
    visitor.on("pageerror", (error) => errors.push(`visitor: ${error.message}`));
    await visitor.goto(link);
    await expect(visitor.getByTestId("opened-pass")).toContainText("赵*珍");
    await expect(visitor.getByTestId("opened-pass")).toContainText("凭证码");
    await expect(visitor.getByTestId("in-app-guide")).toHaveCount(0);
    await scanned.close();
    await app.open("/issues");

    // The server unreachable while the phone thinks it is online: a second issue waits;
    // a reload (online, from the network: there is no service worker) keeps the queue.
    await page.route("**/api/sync/push", (route) => route.abort("connectionrefused"));
    const second = `${title}（续）`;
    await app.raiseIssue({ title: second, category: "设施维修", place: "2栋楼道" });
    await expect(app.syncState()).toHaveText("待同步");
    await page.reload();
    await expect(app.syncState()).toHaveText("待同步");
    await page.unroute("**/api/sync/push");
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await expect(app.syncState()).toHaveText("已提交", { timeout: 20_000 });
    await page.reload();
    await expect(app.syncState()).toHaveText("已提交");
    expect(server.sql(`SELECT count(*) FROM issues WHERE title = '${second}';`).trim()).toBe("1");
    expect(server.sql(`SELECT count(*) FROM issues WHERE title = '${title}';`).trim()).toBe("1");
    // Signing out there works too (no photo cache to forget, no worker to tell).
    await app.open("/me");
    await page.getByTestId("sign-out").click();
    await expect(page.getByRole("button", { name: "登录" })).toBeVisible();
    expect(errors).toEqual([]);
    await context.close();
  });
}

test("an invitation's QR code scanned by WeChat's own scanner on an iPhone opens the join page there, and the household joins and raises an issue", async ({ browser, server }) => {
  // Staff show the invitation's QR code on their phone (the work app, a full browser).
  const staffContext = await browser.newContext();
  const staff = new AppPage(await staffContext.newPage(), server);
  await staff.signIn("13900000301"); // 孙丽, 杉湾花园
  await staff.page.getByTestId("community-admin").click();
  await staff.page.locator("select[name=household]").selectOption({ label: "6栋1单元102" });
  await staff.page.getByTestId("create-invitation").click();
  const card = staff.page.getByTestId("new-invitation");
  await expect(card.getByTestId("sync-state")).toHaveText("已提交");
  // The card is drawn again when the sync settles it: scroll to whichever QR code is there.
  await expect(async () => card.locator(".qr").scrollIntoViewIfNeeded({ timeout: 2_000 })).toPass();
  const shot = join(mkdtempSync(join(tmpdir(), "ywt-qr-")), "invitation.png");
  await staff.page.screenshot({ path: shot });
  const link = execFileSync("zbarimg", ["--quiet", "--raw", shot]).toString().trim();
  expect(link).toMatch(new RegExp(`^${server.url}/join/[2-9A-HJ-NP-Z]{10}$`));
  await staffContext.close();

  // WeChat's scanner opens it in WeChat's browser: a WKWebView, no service worker at all.
  const context = await browser.newContext({ userAgent: WECHAT_IOS, serviceWorkers: "block", viewport: { width: 390, height: 844 } });
  await context.addInitScript(() => {
    delete (Navigator.prototype as any).serviceWorker;
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const resident = new AppPage(page, server);
  await page.goto(link);
  await expect(page.getByTestId("invitation-summary")).toContainText("杉湾花园");
  await expect(page.getByTestId("in-app-guide")).toBeVisible();
  await resident.shot("in-app-03-invitation-ios");
  await audit(page, { minTarget: 44 });
  await page.getByLabel("称呼").fill("钱阿姨");
  await page.getByLabel("手机号").fill("13911113333");
  await page.getByLabel("设置密码").fill("warm-soup-99");
  await page.getByLabel("我已阅读并同意以上隐私说明").check();
  await page.getByRole("button", { name: "同意并加入" }).click();
  await expect(page.getByText("您好，钱阿姨")).toBeVisible();
  await resident.open("/issues");
  await resident.raiseIssue({ title: "微信里加入后提的问题", category: "环境卫生" });
  await expect(resident.syncState()).toHaveText("已提交");
  expect(server.sql("SELECT count(*) FROM issues WHERE title = '微信里加入后提的问题';").trim()).toBe("1");
  expect(errors).toEqual([]);
  await context.close();
});
