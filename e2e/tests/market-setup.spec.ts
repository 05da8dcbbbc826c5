// 集市管理: community staff set a slot's seats (never fewer than are taken), close a slot, see
// who booked, book for a household that phoned (代预约), and call a service's day off with a
// reason; the household booked that day reads the reason on its phone.
import { AppPage, expect, test } from "./fixtures/app";
import { audit } from "./fixtures/audit";

const STAFF = "13900000302"; // 吴芳, 九龙花园's staff
const LIN = "13900000102"; // 林淑芬, volunteer and resident, booked 缝补 09:30 on the 9th

test("staff set seats, close a slot and call a day off; the household booked reads why", async ({ browser, server }) => {
  const staff = new AppPage(await (await browser.newContext()).newPage(), server);
  await staff.signIn(STAFF);
  await staff.open("/work/");
  await staff.page.getByTestId("market-setup-link").click();
  const haircut = staff.page.getByTestId("setup-service").filter({ hasText: "理发" });
  // 赵玉珍's 09:00 haircut (the demo): one taken of two seats.
  const nine = haircut.getByTestId("setup-day").first().getByTestId("setup-slot").filter({ hasText: "09:00–09:30" });
  await expect(nine.getByTestId("slot-seats")).toHaveText("已约 1 / 名额 2");
  // One seat fewer: allowed down to the one taken, then the button says no more.
  await nine.getByTestId("fewer-seats").click();
  await expect(nine.getByTestId("slot-seats")).toHaveText("已约 1 / 名额 1");
  await expect(nine.getByTestId("fewer-seats")).toBeDisabled();
  await nine.getByTestId("more-seats").click();
  await expect(nine.getByTestId("slot-seats")).toHaveText("已约 1 / 名额 2");
  // Closed, then reopened.
  await nine.getByTestId("toggle-slot").click();
  await expect(nine.getByTestId("slot-closed")).toHaveText("暂停");
  await staff.shot("setup-01-slots");
  await audit(staff.page, { minTarget: 44 });
  await nine.getByTestId("toggle-slot").click();
  await expect(nine.getByTestId("slot-closed")).toHaveCount(0);

  // Who booked: staff see the name and the household.
  await expect(nine.getByTestId("slot-booking")).toContainText("赵玉珍 2栋1单元101");
  // 代预约: 孙大爷 phoned for a haircut at 09:30; his household is chosen from the list.
  const half = haircut.getByTestId("setup-day").first().getByTestId("setup-slot").filter({ hasText: "09:30–10:00" });
  await half.getByTestId("book-on-behalf").click();
  await half.getByTestId("confirm-on-behalf").click();
  await expect(half.getByTestId("error-household_id")).toContainText("请选择住户");
  await half.getByLabel("为哪一户预约").selectOption({ label: "4栋3单元302" });
  await half.getByLabel(/上门说明/).fill("腿脚不便，家人陪同");
  await half.getByTestId("confirm-on-behalf").click();
  const his = half.getByTestId("slot-booking").filter({ hasText: "代预约 4栋3单元302" });
  await expect(his).toContainText("已预约", { timeout: 20_000 });
  await expect(half.getByTestId("slot-seats")).toHaveText("已约 1 / 名额 2");

  // 缝补's day called off: a reason is required; the household is told.
  const sewing = staff.page.getByTestId("setup-service").filter({ hasText: "缝补" });
  const day = sewing.getByTestId("setup-day").first();
  await day.getByTestId("call-off-day").click();
  await day.getByTestId("confirm-call-off").click();
  await expect(day.getByTestId("error-reason")).toContainText("请填写理由");
  await day.getByLabel(/取消原因/).fill("志愿者生病，改到下个月");
  await day.getByTestId("confirm-call-off").click();
  await expect(sewing.getByTestId("setup-day").first().getByTestId("slot-closed").first()).toBeVisible({ timeout: 20_000 });
  await expect(staff.page.getByTestId("sync-chip")).toContainText("都已同步", { timeout: 20_000 });

  // The ledger's market figures: the sewing day called off counts as cancelled.
  await staff.open("/work/ledger");
  const sewingMonth = staff.page.getByTestId("market-month").filter({ hasText: "缝补" }).first();
  await expect(sewingMonth.locator("td").nth(4)).toHaveText("1");
  await expect(staff.page.getByTestId("market-month").filter({ hasText: "理发" }).first().locator("td").nth(1)).not.toHaveText("0");
  await staff.shot("setup-04-ledger");
  await audit(staff.page, { minTarget: 44 });

  // In 长辈版, the page still reads and every target is large.
  await staff.open("/work/");
  await staff.page.getByTestId("elder-switch").click();
  await staff.open("/work/market");
  await expect(staff.page.getByTestId("setup-service").first()).toBeVisible();
  await staff.shot("setup-02-elder");
  await audit(staff.page, { minTarget: 60 });

  // 林淑芬's phone: her 缝补 booking is cancelled, with the reason.
  const lin = new AppPage(await (await browser.newContext()).newPage(), server);
  await lin.signIn(LIN);
  await lin.open("/market");
  const booking = lin.page.getByTestId("booking").filter({ hasText: "缝补" });
  await expect(booking.getByTestId("called-off")).toContainText("志愿者生病，改到下个月", { timeout: 20_000 });
  await expect(booking.getByTestId("booking-state")).toContainText("已取消");
  await expect(booking.getByTestId("show-pass")).toHaveCount(0);
  await lin.shot("setup-03-called-off");
  await audit(lin.page, { minTarget: 44 });
});
