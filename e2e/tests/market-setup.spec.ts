// 集市管理: community staff add a service with its monthly day and a one-off day, offline
// first; set a slot's seats (never fewer than are taken), close a slot, see
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
  // Each service is folded under its name and rule; open 理发.
  await expect(haircut.getByTestId("service-rule")).toHaveText("每月9日 · 08:30–11:30 · 每段30分钟");
  await expect(haircut.getByTestId("setup-day").first()).toBeHidden();
  await haircut.locator("summary").click();
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
  await sewing.locator("summary").click();
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

test("staff add a service and a one-off day, offline first; residents book it, and the reading room needs no booking", async ({ browser, server }) => {
  const context = await browser.newContext();
  const staff = new AppPage(await context.newPage(), server);
  await staff.signIn(STAFF);
  await staff.open("/work/market");
  await staff.waitForServiceWorker();
  await expect(staff.page.getByTestId("setup-service").first()).toBeVisible({ timeout: 20_000 });
  await expect(staff.page.getByTestId("sync-chip")).toContainText("都已同步", { timeout: 20_000 });
  await context.setOffline(true);
  await staff.page.getByTestId("new-service").click();
  const form = staff.page.getByTestId("new-service-form");
  // The domain's rules on the phone: every problem at once, in words.
  await form.getByLabel("地点").fill("");
  await form.getByLabel(/每月几号/).fill("32");
  await staff.page.getByTestId("save-service").click();
  await expect(form.getByTestId("error-name")).toContainText("请填写名称");
  await expect(form.getByTestId("error-place")).toContainText("请填写地点");
  await expect(form.getByTestId("error-monthly_day")).toBeVisible();
  await form.getByLabel(/服务名称/).fill("磨刀");
  await form.getByLabel("地点").fill("新时代文明实践站");
  await form.getByLabel("开始时间").fill("09:00");
  await form.getByLabel("结束时间").fill("10:00");
  await form.getByLabel(/每段时长/).selectOption("20");
  await form.getByLabel(/每月几号/).fill("20");
  await form.getByTestId("service-volunteers").getByRole("checkbox", { name: "周德明" }).check();
  await staff.shot("setup-05-new-service");
  await audit(staff.page, { minTarget: 44 });
  await staff.page.getByTestId("save-service").click();
  // Offline: on the phone only, and said so.
  await expect(staff.page.getByTestId("setup-waiting")).toContainText("新增服务");
  await expect(staff.page.getByTestId("setup-waiting")).toContainText("待同步");
  await context.setOffline(false);
  const knives = staff.page.getByTestId("setup-service").filter({ hasText: "磨刀" });
  await expect(knives.getByTestId("service-rule")).toHaveText("每月20日 · 09:00–10:00 · 每段20分钟", { timeout: 20_000 });
  await expect(staff.page.getByTestId("setup-waiting")).toHaveCount(0);
  await knives.locator("summary").click();
  // The next two 20ths, three 20-minute slots each, one seat per volunteer.
  await expect(knives.getByTestId("setup-day")).toHaveCount(2);
  await expect(knives.getByTestId("setup-day").first().getByTestId("setup-slot")).toHaveCount(3);
  await expect(knives.getByTestId("slot-seats").first()).toHaveText("已约 0 / 名额 1");

  // A one-off day: the past is refused on the phone; a day ahead opens with the same hours.
  await knives.getByTestId("add-day").click();
  const yesterday = new Date(Date.now() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
  await knives.getByLabel("加一天").fill(yesterday);
  await knives.getByTestId("confirm-add-day").click();
  await expect(knives.getByTestId("error-day")).toBeVisible();
  let ahead = 1;
  while (new Date(Date.now() + 8 * 3600_000 + ahead * 86_400_000).getUTCDate() === 20) ahead += 1;
  const extra = new Date(Date.now() + 8 * 3600_000 + ahead * 86_400_000).toISOString().slice(0, 10);
  await knives.getByLabel("加一天").fill(extra);
  await knives.getByTestId("confirm-add-day").click();
  await expect(knives.getByTestId("setup-day")).toHaveCount(3, { timeout: 20_000 });
  await expect(staff.page.getByTestId("sync-chip")).toContainText("都已同步", { timeout: 20_000 });
  await staff.shot("setup-06-service-days");
  expect(server.sql("SELECT COUNT(*) FROM market_slots JOIN market_services s ON s.id = service_id WHERE s.name = '磨刀';").trim()).toBe("9");

  // A resident: 磨刀 is offered, booked like any other; the reading room shows its hours only.
  const resident = new AppPage(await (await browser.newContext()).newPage(), server);
  await resident.signIn("13900000004");
  await resident.open("/market");
  const offered = resident.page.getByTestId("market-service").filter({ hasText: "磨刀" });
  await expect(offered.getByTestId("market-slot")).toHaveCount(3);
  const reading = resident.page.getByTestId("market-service").filter({ hasText: "共享阅览" });
  await expect(reading.getByTestId("walk-in-hours")).toContainText("14:00–17:00");
  await expect(reading.getByTestId("walk-in-hours")).toContainText("无需预约");
  await expect(reading.getByTestId("market-slot")).toHaveCount(0);
  await reading.scrollIntoViewIfNeeded();
  await resident.shot("setup-07-reading-room");
  await audit(resident.page, { minTarget: 44 });
});
