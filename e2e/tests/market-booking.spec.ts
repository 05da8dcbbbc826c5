// 集市 booking: two residents of 九龙花园, offline, ask for the last seat of the plumber's morning
// window; online, one has 已预约 with a pass and the other 名额已满 with the free slots the
// server offered, and joins the waiting list instead. The pass shows offline, large, with its
// short code, and a camera reads its QR code; cancelled, the seat is offered to the household
// waiting, which takes it and gets a pass of its own.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppPage, expect, test } from "./fixtures/app";
import { audit } from "./fixtures/audit";

const ZHAO = "13900000004"; // 赵玉珍, 2栋1单元101
const LIN = "13900000102"; // 林淑芬, 4栋3单元301 (also a volunteer)

function plumber(app: AppPage) {
  return app.page.getByTestId("market-service").filter({ hasText: "水电维修" });
}

function booking(app: AppPage, service: string) {
  return app.page.getByTestId("booking").filter({ hasText: service });
}

test("two residents offline ask for the last seat: one gets it with a pass, the other waits and takes it when it is freed", async ({ browser, server }) => {
  const zhao = new AppPage(await (await browser.newContext()).newPage(), server);
  const lin = new AppPage(await (await browser.newContext()).newPage(), server);
  for (const [app, phone] of [
    [zhao, ZHAO],
    [lin, LIN],
  ] as const) {
    await app.signIn(phone);
    await app.open("/market");
    await expect(app.page.getByTestId("market-service")).toHaveCount(7);
    await app.waitForServiceWorker();
    // 孙大爷's 代预约 holds one of the two seats of the morning window.
    await expect(plumber(app).getByTestId("market-slot").first()).toContainText("余1位");
  }
  // 赵玉珍 already holds the demo's haircut: 首页 shows it, and the pass is one tap away.
  await zhao.open("/");
  await expect(zhao.page.getByTestId("next-booking")).toContainText("理发");
  await zhao.open("/market");
  await expect(booking(zhao, "理发").getByTestId("booking-state")).toHaveText("已预约");

  // A sync arriving while she types leaves what she typed, and where she typed it.
  await plumber(zhao).getByTestId("market-slot").first().click();
  const typing = zhao.page.getByLabel("上门说明（可不填）");
  await typing.fill("下午在家");
  const pulled = zhao.page.waitForResponse((response) => response.url().endsWith("/api/sync/pull"));
  await zhao.page.evaluate(() => window.dispatchEvent(new Event("online")));
  await pulled;
  await zhao.page.waitForTimeout(1_000); // the pull applied and the screen refreshed
  await expect(typing).toHaveValue("下午在家");
  await expect(typing).toBeFocused();
  await zhao.page.getByRole("button", { name: "取消", exact: true }).click();
  await expect(typing).toHaveCount(0);

  // Both offline: each asks for the morning window, with a note for the plumber.
  for (const [app, note] of [
    [zhao, "上午10点后在家"],
    [lin, "卫生间水管滴水"],
  ] as const) {
    await app.page.context().setOffline(true);
    await plumber(app).getByTestId("market-slot").first().click();
    await app.page.getByLabel("上门说明（可不填）").fill(note);
    await app.page.getByTestId("confirm-booking-button").click();
    await expect(booking(app, "水电维修").getByTestId("booking-state")).toHaveText("待同步");
    await expect(booking(app, "水电维修")).toContainText(note);
  }
  await zhao.shot("market-01-requested-offline");
  await audit(zhao.page, { minTarget: 44 });

  // 赵玉珍's phone reaches the server first: the seat is hers, with a pass.
  await zhao.page.context().setOffline(false);
  await expect(booking(zhao, "水电维修").getByTestId("booking-state")).toHaveText("已预约", { timeout: 20_000 });
  await expect(plumber(zhao).getByTestId("market-slot").first()).toContainText("已约");

  // 林淑芬's: refused as full, never shown as booked, with the free slots offered.
  await lin.page.context().setOffline(false);
  const refused = lin.page.getByTestId("refused-booking");
  await expect(refused).toContainText("名额已满", { timeout: 20_000 });
  await expect(booking(lin, "水电维修")).toHaveCount(0);
  const instead = refused.getByTestId("book-instead");
  await expect(instead.first()).toContainText("14:00–17:30");
  await lin.shot("market-02-full-with-alternatives");
  await audit(lin.page, { minTarget: 44 });
  await refused.getByTestId("join-waitlist").click();
  await expect(refused).toHaveCount(0);
  const waiting = lin.page.getByTestId("waitlist").filter({ hasText: "水电维修" });
  await expect(waiting.getByTestId("waiting")).toContainText("候补中", { timeout: 20_000 });

  // The pass: large, with its short code, offline too; a phone camera reads the QR code.
  await booking(zhao, "水电维修").getByTestId("show-pass").click();
  const pass = zhao.page.getByTestId("pass");
  await expect(pass).toContainText("水电维修");
  await expect(pass.getByTestId("pass-code")).toHaveText(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  await zhao.page.context().setOffline(true);
  await zhao.page.reload();
  await expect(pass.getByTestId("pass-code")).toBeVisible();
  const shot = join(mkdtempSync(join(tmpdir(), "ywt-pass-")), "pass.png");
  await pass.locator(".qr").scrollIntoViewIfNeeded();
  await zhao.page.screenshot({ path: shot });
  const link = execFileSync("zbarimg", ["--quiet", "--raw", shot]).toString().trim();
  expect(link).toMatch(new RegExp(`^${server.url}/p#[A-Za-z0-9_-]{100,}$`));
  await zhao.shot("market-03-pass");
  await audit(zhao.page, { minTarget: 44 });
  await zhao.page.context().setOffline(false);

  // Any camera opens the pass page: it says what the pass is for and who checks it.
  const opened = new AppPage(await (await browser.newContext()).newPage(), server);
  await opened.page.goto(link);
  await expect(opened.page.getByTestId("opened-pass")).toContainText("赵*珍");
  await expect(opened.page.getByTestId("opened-pass")).toContainText("志愿者");

  // 赵玉珍 cancels (two taps): the seat is offered to 林淑芬, who waited, and held for her.
  await zhao.open("/market");
  const cancel = booking(zhao, "水电维修").getByTestId("cancel-booking");
  await cancel.click();
  await expect(cancel).toHaveText("确定取消这个预约");
  await cancel.click();
  await expect(booking(zhao, "水电维修")).toHaveCount(0, { timeout: 20_000 });
  await expect(plumber(zhao).getByTestId("market-slot").first()).toContainText("已满");
  await lin.open("/");
  await expect(lin.page.getByTestId("offer-alert")).toContainText("有空位了", { timeout: 20_000 });
  await lin.page.getByTestId("offer-alert").click();
  await expect(waiting.getByTestId("seat-offered")).toContainText("前确认");
  await lin.shot("market-03b-seat-offered");
  await audit(lin.page, { minTarget: 44 });
  await waiting.getByTestId("take-seat").click();
  const hers = booking(lin, "水电维修").filter({ hasText: "08:00–12:00" });
  await expect(hers.getByTestId("booking-state")).toHaveText("已预约", { timeout: 20_000 });
  await expect(hers).toContainText("卫生间水管滴水");
  await expect(hers.getByTestId("show-pass")).toBeVisible();
  await expect(lin.page.getByTestId("waitlist")).toHaveCount(0);

  // 长辈版: the same page with larger targets.
  await zhao.open("/");
  await zhao.page.getByTestId("elder-switch").click();
  await zhao.open("/market");
  await expect(booking(zhao, "理发")).toBeVisible();
  await zhao.shot("market-04-elder");
  await audit(zhao.page, { minTarget: 60 });
});
