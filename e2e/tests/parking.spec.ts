// 孝心车位: 王秀兰, offline, registers her son's car on the plate keyboard (待同步); online it
// is 已预约 with a pass. The guard's phone, offline, scans the pass with its camera (Chromium's
// fake camera filming her screen), checks it with no network and lets the car in, later out;
// online, the server holds both times, made offline. The demo's overstaying car is first on
// the guard's list and its household, 李建国, is told at his next sync. A walk-up the guard
// registers is let in by the household on its phone. A forged pass and another day's pass are
// refused in words. Screens in both modes, audited.
import { AppPage, expect, GUARD, NEIGHBOUR, RESIDENT, test } from "./fixtures/app";
import { audit } from "./fixtures/audit";
import { cameraFile, passLink, phoneWithCamera } from "./fixtures/camera";

test("a visit registered offline is booked with a pass; the guard, offline, scans it in and out; overstay, walk-up, forged and other-day passes", async ({ browser, server }) => {
  const beijingMinutes = (Date.now() / 60_000 + 8 * 60) % (24 * 60);
  test.skip(beijingMinutes > 24 * 60 - 20, "too close to midnight in Beijing");
  test.setTimeout(240_000);
  server.openParkingAllDay();

  // The resident registers today's visit with no signal.
  const wang = new AppPage(await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage(), server);
  await wang.signIn(RESIDENT);
  await wang.open("/parking");
  await expect(wang.page.getByTestId("parking-pool")).toContainText("共12个车位");
  await wang.waitForServiceWorker();
  await wang.page.context().setOffline(true);
  await wang.page.getByTestId("new-visit").click();
  const form = wang.page.getByTestId("visit-form");
  // 苏 is already there; the keys give the rest.
  for (const key of "K12345") await form.locator(`[data-testid=plate-key][data-key="${key}"]`).click();
  await expect(form.getByTestId("plate-shown")).toContainText("苏K·12345");
  await form.getByTestId("visit-hours").nth(3).check(); // 4小时
  await expect(form.getByTestId("window-free")).toContainText("个空位");
  await wang.shot("parking-01-form");
  await audit(wang.page, { minTarget: 44 });
  // A plate with an O in it is refused on the phone, in words, before anything is queued.
  await form.getByTestId("plate-input").fill("苏K1234O");
  await form.getByTestId("save-visit").click();
  await expect(form.getByTestId("error-plate")).toContainText("车牌号的格式不对");
  await form.getByTestId("plate-input").fill("苏k 12345");
  await form.getByTestId("save-visit").click();
  const card = wang.page.getByTestId("visit").filter({ hasText: "苏K·12345" });
  await expect(card.getByTestId("visit-state")).toHaveText("待同步");
  await wang.shot("parking-02-pending-offline");

  // Online: the server holds a spot; the pass is one tap away.
  await wang.page.context().setOffline(false);
  await expect(card.getByTestId("visit-state")).toHaveText("已预约", { timeout: 20_000 });
  await card.getByTestId("show-visit-pass").click();
  await expect(wang.page.getByTestId("visit-pass")).toContainText("苏K·12345");
  const link = await passLink(wang);
  expect(link).toMatch(new RegExp(`^${server.url}/p#[A-Za-z0-9_-]{100,}$`));
  const camera = await cameraFile(wang);
  await wang.shot("parking-03-pass");
  await audit(wang.page, { minTarget: 44 });
  // The visitor opens the link with no account: the code, the window and the masked plate.
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(link);
  await expect(visitor.getByTestId("opened-pass")).toContainText("苏K·***45");
  await expect(visitor.getByTestId("opened-pass").locator(".qr svg")).toBeVisible();
  await expect(visitor.getByTestId("opened-pass")).not.toContainText("王秀兰");

  // The guard's phone, its camera filming the resident's screen.
  const phone = await phoneWithCamera(camera);
  try {
    const context = await phone.newContext({
      viewport: { width: 390, height: 844 },
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
      permissions: ["camera"],
    });
    const guard = new AppPage(await context.newPage(), server);
    await guard.signIn(GUARD);
    await guard.open("/work/");
    await guard.page.getByTestId("gate-link").click();
    const rows = guard.page.getByTestId("gate-visit");
    // The demo's overstaying car comes first, flagged in words; its household is named.
    await expect(rows.first()).toHaveAttribute("data-lane", "overstay", { timeout: 20_000 });
    await expect(rows.first()).toContainText("苏K·8C2M7");
    await expect(rows.first().getByTestId("gate-overstay")).toContainText("超时");
    const ours = rows.filter({ hasText: "苏K·12345" });
    await expect(ours).toContainText("待到达");
    await guard.shot("parking-04-gate-list");
    await audit(guard.page, { minTarget: 44 });
    await guard.page.waitForFunction(
      async () => {
        for (const key of await caches.keys()) {
          if (key.startsWith("ywt-work-") && (await (await caches.open(key)).match("/work/scanner/scanner_bg.wasm"))) return true;
        }
        return false;
      },
      null,
      { timeout: 30_000 },
    );
    await guard.page.context().setOffline(true);

    // Offline, the camera reads the pass; the phone checks it and the guard lets the car in.
    await guard.page.getByTestId("scan-pass").click();
    const checked = guard.page.getByTestId("checked-visit");
    await expect(checked.getByTestId("checked-plate")).toHaveText("苏K·12345", { timeout: 20_000 });
    await expect(checked.getByTestId("checked-offline")).toContainText("离线核对");
    await guard.shot("parking-05-scanned-offline");
    await audit(guard.page, { minTarget: 44 });
    await checked.getByTestId("let-in").click();
    await expect(ours).toContainText("待同步");
    await expect(ours).toHaveAttribute("data-lane", "inside");
    // Later the car leaves, still offline.
    await ours.getByTestId("gate-out").click();
    await expect(ours).toHaveCount(1);
    await expect(ours).toHaveAttribute("data-lane", "left");

    // Online: the server holds both times, made offline.
    await guard.page.context().setOffline(false);
    await expect(guard.page.getByTestId("sync-chip")).toContainText("都已同步", { timeout: 20_000 });
    await expect
      .poll(() =>
        server
          .sql("SELECT status, entered_at IS NOT NULL, left_at IS NOT NULL, entered_offline FROM visits WHERE plate = '苏K12345';")
          .trim(),
      )
      .toBe("left|1|1|1");

    // A walk-up at the gate, for 王秀兰's household (3栋1单元201).
    await guard.page.getByTestId("new-walk-up").click();
    const walkUp = guard.page.getByTestId("walk-up-form");
    await walkUp.getByTestId("plate-input").fill("皖A12345");
    await walkUp.getByTestId("walk-up-household").selectOption({ label: "3栋1单元201" });
    await guard.shot("parking-06-walk-up");
    await audit(guard.page, { minTarget: 44 });
    await walkUp.getByTestId("save-walk-up").click();
    const asked = rows.filter({ hasText: "皖A·12345" });
    await expect(asked).toContainText("待住户确认", { timeout: 20_000 });

    // The household is asked on its phone and lets the visitor in: 已预约, with a pass.
    await wang.open("/parking");
    const ask = wang.page.getByTestId("visit").filter({ hasText: "皖A·12345" });
    await expect(ask.getByTestId("walk-up-ask")).toBeVisible({ timeout: 20_000 });
    await ask.getByTestId("approve-walk-up").click();
    await expect(ask.getByTestId("visit-state")).toHaveText("已预约", { timeout: 20_000 });
    // The guard's list shows it approved, ready to let in.
    await guard.open("/work/gate");
    await expect(asked).toContainText("待到达", { timeout: 20_000 });
    await expect(asked.getByTestId("gate-in")).toBeVisible();

    // A forged pass, opened by the guard's camera app: the pass page sends the guard to the
    // gate, which refuses it.
    const token = link.split("#")[1];
    const at = token.length - 10;
    const forged = token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1);
    await guard.page.goto(`${server.url}/p#${forged}`);
    await guard.page.getByTestId("check-at-gate").click();
    const refused = guard.page.getByTestId("pass-refused");
    await expect(refused).toHaveAttribute("data-code", "forged");
    await expect(refused).toContainText("签名不对");
  } finally {
    await phone.close();
  }

  // Another day's pass: a visit tomorrow, refused at the gate today in its own words.
  await wang.open("/parking");
  await wang.page.getByTestId("new-visit").click();
  await form.getByTestId("visit-day").nth(1).check();
  // Its last start that day: tonight's walk-up may run past midnight (one car at a time).
  const lastStart = await form.getByTestId("visit-time").locator("option").last().getAttribute("value");
  await form.getByTestId("visit-time").selectOption(lastStart!);
  await form.getByTestId("plate-input").fill("苏KD35219");
  await form.getByTestId("save-visit").click();
  const tomorrow = wang.page.getByTestId("visit").filter({ hasText: "苏K·D35219" });
  await expect(tomorrow.getByTestId("visit-state")).toHaveText("已预约", { timeout: 20_000 });
  await tomorrow.getByTestId("show-visit-pass").click();
  const otherDay = await passLink(wang);
  const gate = new AppPage(await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage(), server);
  await gate.signIn(GUARD);
  await gate.open("/work/gate");
  await expect(gate.page.getByTestId("sync-chip")).toContainText("都已同步", { timeout: 20_000 });
  await gate.open(`/work/gate#${otherDay.split("#")[1]}`);
  const refused = gate.page.getByTestId("pass-refused");
  await expect(refused).toHaveAttribute("data-code", "other_day");
  await expect(refused).toContainText("不是今天");

  // 李建国's son overstays (the demo's car): he is told on 车位 and on 首页 at his next sync.
  const li = new AppPage(await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage(), server);
  await li.signIn(NEIGHBOUR);
  await expect(li.page.getByTestId("next-visit")).toContainText("您的访客车辆已超时", { timeout: 20_000 });
  await li.open("/parking");
  await expect(li.page.getByTestId("overstay")).toContainText(/您的访客车辆已超时\d+分钟/);
  await li.shot("parking-07-overstay");
  await audit(li.page, { minTarget: 44 });
  // In 长辈版: the same page in large type, every target 60 px.
  await li.open("/me");
  await li.page.getByTestId("elder-switch").click();
  await li.open("/parking");
  await li.page.getByTestId("new-visit").click();
  await li.shot("parking-08-form-elder");
  await audit(li.page, { minTarget: 60 });
  await gate.open("/work/");
  await gate.page.getByTestId("elder-switch").click();
  await gate.open("/work/gate");
  await expect(gate.page.getByTestId("gate-visit").first()).toBeVisible();
  await gate.shot("parking-09-gate-elder");
  await audit(gate.page, { minTarget: 60 });
});

test("staff see the day and set the rules; a full window is refused with free windows, one tap to take; staff answer a walk-up for a household without a phone", async ({ browser, server }) => {
  const beijingMinutes = (Date.now() / 60_000 + 8 * 60) % (24 * 60);
  test.skip(beijingMinutes > 24 * 60 - 20, "too close to midnight in Beijing");
  test.setTimeout(180_000);
  server.openParkingAllDay();
  const staff = new AppPage(await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage(), server);
  await staff.signIn("13900000301"); // 孙丽
  await staff.open("/work/");
  await staff.page.getByTestId("parking-setup-link").click();
  const day = staff.page.getByTestId("pool-day");
  await expect(day.getByTestId("count-overstay")).toHaveText("超时1辆");
  await expect(day.getByTestId("pool-timeline").locator("li")).toHaveCount(24);
  // Every field's problem at once, in words.
  const rules = staff.page.getByTestId("pool-rules");
  await rules.locator("input[name=spots]").fill("0");
  await rules.locator("input[name=max_hours]").fill("13");
  await rules.getByTestId("save-pool").click();
  await expect(rules.getByTestId("error-spots")).toContainText("车位数应在1到200之间");
  await expect(rules.getByTestId("error-max_hours")).toContainText("12");
  await staff.shot("parking-10-setup");
  await audit(staff.page, { minTarget: 44 });
  // Two spots only (a trial), 4 hours at most.
  await rules.locator("input[name=spots]").fill("2");
  await rules.locator("input[name=max_hours]").fill("4");
  await rules.getByTestId("save-pool").click();
  await expect(rules.getByTestId("pool-saved")).toBeVisible();
  await expect.poll(() => server.sql("SELECT spots, max_hours FROM parking_pools WHERE community_id = 'shanwan';").trim(), { timeout: 20_000 }).toBe("2|4");

  // The resident's phone knows the two spots are held now: it says so; sent anyway, the
  // server refuses it with the nearest free windows, and one of them is taken with a tap.
  const wang = new AppPage(await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage(), server);
  await wang.signIn(RESIDENT);
  await wang.open("/parking");
  await expect(wang.page.getByTestId("parking-pool")).toContainText("共2个车位", { timeout: 20_000 });
  await wang.page.getByTestId("new-visit").click();
  const form = wang.page.getByTestId("visit-form");
  await expect(form.getByTestId("visit-hours")).toHaveCount(4);
  await expect(form.getByTestId("window-free")).toContainText("车位已满");
  await form.getByTestId("plate-input").fill("苏K12345");
  await form.getByTestId("save-visit").click();
  const refused = wang.page.getByTestId("refused-visit");
  await expect(refused).toContainText("车位已满", { timeout: 20_000 });
  await expect(refused.getByTestId("visit-instead")).toHaveCount(3);
  await wang.shot("parking-11-full");
  await audit(wang.page, { minTarget: 44 });
  const offered = (await refused.getByTestId("visit-instead").first().innerText()).trim();
  await refused.getByTestId("visit-instead").first().click();
  const taken = wang.page.getByTestId("visit").filter({ hasText: "苏K·12345" });
  await expect(taken.getByTestId("visit-state")).toHaveText("已预约", { timeout: 20_000 });
  await expect(taken).toContainText(offered.split(" ").pop()!);
  await expect(refused).toHaveCount(0);
  // Before arrival the time can change: two hours instead of four, from the same start.
  await taken.getByTestId("change-visit").click();
  const change = taken.getByTestId("visit-form");
  await expect(change).toContainText("苏K·12345");
  await change.getByTestId("visit-hours").nth(1).check();
  await change.getByTestId("save-visit").click();
  await expect(taken.getByTestId("visit-state")).toHaveText("已预约", { timeout: 20_000 });
  await expect
    .poll(() => server.sql("SELECT CAST(round((julianday(leaves_by) - julianday(arrives_at)) * 24) AS INTEGER) FROM visits WHERE plate = '苏K12345';").trim(), { timeout: 20_000 })
    .toBe("2");

  // A walk-up for the empty flat (6栋1单元102, nobody with a phone): staff let it in.
  server.sql("UPDATE parking_pools SET spots = 12 WHERE community_id = 'shanwan';");
  const guard = new AppPage(await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage(), server);
  await guard.signIn(GUARD);
  await guard.open("/work/gate");
  await guard.page.getByTestId("new-walk-up").click();
  const walkUp = guard.page.getByTestId("walk-up-form");
  await walkUp.getByTestId("plate-input").fill("苏A1234挂");
  await walkUp.getByTestId("walk-up-household").selectOption({ label: "6栋1单元102" });
  await expect(walkUp.getByTestId("plate-shown")).toContainText("特殊车牌");
  await walkUp.getByTestId("save-walk-up").click();
  await expect(guard.page.getByTestId("gate-visit").filter({ hasText: "苏A·1234挂" })).toContainText("待住户确认", { timeout: 20_000 });
  await staff.open("/work/parking");
  const ask = staff.page.getByTestId("staff-walk-up").filter({ hasText: "苏A·1234挂" });
  await ask.getByTestId("approve-for-household").click();
  await expect.poll(() => server.sql("SELECT status, unusual FROM visits WHERE plate = '苏A1234挂';").trim(), { timeout: 20_000 }).toBe("booked|1");
  await guard.open("/work/gate");
  await expect(guard.page.getByTestId("gate-visit").filter({ hasText: "苏A·1234挂" })).toContainText("待到达", { timeout: 20_000 });
  // 代登记: the elder of 6栋1单元102 phones the office; staff register their son's car for
  // tomorrow 10:00, beyond the household's limits, which the visit records.
  await staff.page.getByTestId("staff-visit").click();
  const staffForm = staff.page.getByTestId("visit-form");
  await expect(staffForm).toContainText("代居民登记访客车辆");
  await staffForm.getByTestId("plate-input").fill("苏K66666");
  await staffForm.getByTestId("save-visit").click();
  await expect(staffForm.getByTestId("error-for_household")).toBeVisible();
  await staffForm.getByTestId("staff-visit-household").selectOption({ label: "6栋1单元102" });
  await staffForm.getByTestId("visit-day").nth(1).check();
  await staffForm.getByTestId("visit-time").selectOption({ label: "10:00" });
  await staffForm.getByTestId("staff-visit-over").check();
  await expect(staffForm.getByTestId("window-free")).toContainText("10:00–");
  // The pool changes under the open form (staff take a spot out): the free spots follow,
  // and nothing typed or chosen is lost.
  const freeBefore = (await staffForm.getByTestId("window-free").innerText()).trim();
  await rules.locator("input[name=spots]").fill("11");
  await rules.getByTestId("save-pool").click();
  await expect(rules.getByTestId("pool-saved")).toBeVisible();
  await expect(staffForm.getByTestId("window-free")).not.toHaveText(freeBefore);
  await expect(staffForm.getByTestId("plate-input")).toHaveValue("苏K66666");
  await expect(staffForm.getByTestId("staff-visit-household").locator("option:checked")).toHaveText("6栋1单元102");
  await expect(staffForm.getByTestId("staff-visit-over")).toBeChecked();
  await staff.shot("parking-13-staff-visit");
  await audit(staff.page, { minTarget: 44 });
  await staffForm.getByTestId("save-visit").click();
  const coming = staff.page.getByTestId("coming-visit").filter({ hasText: "苏K·66666" });
  await expect(coming).toContainText("已预约", { timeout: 20_000 });
  await expect(coming).toContainText("超限额登记");
  await expect(coming).toContainText("6栋1单元102");
  await expect
    .poll(() => server.sql("SELECT v.status, v.over_limit, h.building || h.unit || h.room FROM visits v JOIN households h ON h.id = v.household_id WHERE v.plate = '苏K66666';").trim(), { timeout: 20_000 })
    .toBe("booked|1|6栋1单元102");
  // The ledger counts visits (from the server, every visit, plates never shown): the two
  // demo cars that came in, and every visit arriving up to today in Beijing that was not
  // cancelled or left waiting (苏K66666 comes tomorrow; near midnight, so may the window
  // taken above).
  await staff.open("/work/ledger");
  await staff.page.getByRole("button", { name: "全部", exact: true }).click();
  const visitFigures = staff.page.getByTestId("visit-figures");
  await expect(visitFigures.getByTestId("visits-came")).toHaveText("2", { timeout: 20_000 });
  const registeredUpToToday = Number(
    server.sql(
      "SELECT COUNT(*) FROM visits WHERE community_id = 'shanwan' AND status NOT IN ('cancelled', 'requested', 'awaiting') AND date(arrives_at, '+8 hours') <= date('now', '+8 hours');",
    ).trim(),
  );
  expect(registeredUpToToday).toBeGreaterThanOrEqual(3);
  await expect(visitFigures.getByTestId("visits-registered")).toHaveText(String(registeredUpToToday));
  const ledgerBody = await staff.page.evaluate(async () => (await fetch("/api/ledger?community=shanwan")).text());
  expect(ledgerBody).toContain('"visits"');
  expect(ledgerBody).not.toMatch(/苏|沪|plate/);
  await visitFigures.scrollIntoViewIfNeeded();
  await staff.shot("parking-14-ledger");
  // 长辈版 of the set-up page.
  await staff.open("/work/");
  await staff.page.getByTestId("elder-switch").click();
  await staff.open("/work/parking");
  await staff.shot("parking-12-setup-elder");
  await audit(staff.page, { minTarget: 60 });
});
