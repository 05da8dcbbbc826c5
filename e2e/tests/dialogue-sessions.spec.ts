// Staff run the 双月对话 sessions: schedule one, build its agenda from projects accepted
// before it existed (with no signal, through the queue), and set how residents' scores
// decide a rectification; residents read the same rules.
import { AppPage, expect, RESIDENT, test } from "./fixtures/app";
import { audit } from "./fixtures/audit";

const STAFF = "13900000301";
const TITLE = "小区东门路灯不亮";

test("staff schedule a session, put a project on its agenda offline, and set the scoring rules", async ({ browser, server }) => {
  const residentContext = await browser.newContext();
  const staffContext = await browser.newContext();
  const resident = new AppPage(await residentContext.newPage(), server);
  const staff = new AppPage(await staffContext.newPage(), server);
  await resident.signIn(RESIDENT);
  await staff.signIn(STAFF);

  // A project accepted before any session was scheduled.
  await resident.open("/issues");
  await resident.raiseIssue({ title: TITLE, category: "设施维修", place: "东门" });
  await expect(resident.syncState()).toHaveText("已提交");
  const id = resident.page.url().split("/issues/")[1].split("?")[0];
  await staff.open(`/work/issues/${id}`);
  await expect(staff.page.getByTestId("issue-detail").getByTestId("status")).toHaveText("待受理");
  await staff.page.getByTestId("accept-issue").click();
  // Both at once only after the push: the row said 已提交 before the click, then 待同步.
  await expect(staff.page.getByTestId("issue-detail").getByTestId("status")).toHaveText("已立项");
  await expect(staff.syncState()).toHaveText("已提交");

  // The next session, far enough ahead to be the first in the list.
  const next = new Date(Date.now() + 50 * 86_400_000);
  const day = next.toISOString().slice(0, 10);
  const shown = `${next.getUTCFullYear()}年${next.getUTCMonth() + 1}月${next.getUTCDate()}日`;
  await staff.open("/work/dialogues");
  const form = staff.page.getByTestId("schedule-form");
  await expect(staff.page.getByTestId("dialogue-list")).toBeVisible();
  if (!(await form.isVisible())) await staff.page.getByText("安排双月对话").first().click();
  await form.getByLabel("日期").fill(day);
  await form.getByRole("button", { name: "安排双月对话" }).click();
  const first = staff.page.getByTestId("dialogue-list").locator("a").first();
  await expect(first).toContainText(shown);
  await expect(first.getByTestId("sync-state")).toHaveCount(0);
  await first.click();

  // Put on the agenda with no signal: 待同步 on the phone, 已提交 once the server has it.
  const candidates = staff.page.getByTestId("agenda-candidates");
  await expect(candidates.getByText(TITLE)).toBeVisible();
  await audit(staff.page, { minTarget: 44 });
  await staff.shot("sessions-01-candidates");
  await staffContext.setOffline(true);
  await candidates.locator("li", { hasText: TITLE }).getByTestId("add-to-agenda").click();
  const onAgenda = staff.page.getByTestId("agenda").getByTestId("issue-card").filter({ hasText: TITLE });
  await expect(onAgenda.getByTestId("sync-state")).toHaveText("待同步");
  await expect(candidates.getByText(TITLE)).toHaveCount(0);
  await staffContext.setOffline(false);
  await expect(onAgenda.getByTestId("sync-state")).toHaveText("已提交");
  await staff.shot("sessions-02-agenda");
  // Minutes for the project; taken off the agenda, they stay readable on the session.
  const item = staff.page.locator(".agenda-item", { hasText: TITLE });
  await item.locator("textarea").fill("物业答应两周内换好灯");
  // A sync arriving while the minutes are typed (every half minute in a meeting) leaves them.
  const session = staff.page.getByTestId("dialogue").locator("textarea");
  await session.fill("到会十二人");
  const pulled = staff.page.waitForResponse((response) => response.url().endsWith("/api/sync/pull"));
  await staff.page.evaluate(() => window.dispatchEvent(new Event("online")));
  await pulled;
  await staff.page.waitForTimeout(1_000); // the pull applied and the page re-drawn
  await expect(item.locator("textarea")).toHaveValue("物业答应两周内换好灯");
  await expect(session).toHaveValue("到会十二人");
  await item.getByRole("button", { name: "保存记录" }).click();
  // Saving one box's minutes leaves what is typed in another.
  await expect(session).toHaveValue("到会十二人");

  // The resident sees on their issue which session takes it up, and what was recorded.
  await expect(async () => {
    await resident.open(`/issues/${id}`);
    await expect(resident.page.getByTestId("issue-dialogue")).toContainText(shown, { timeout: 2_000 });
    await expect(resident.page.getByTestId("issue-minutes")).toContainText("物业答应两周内换好灯", { timeout: 2_000 });
  }).toPass();
  await resident.shot("sessions-02a-resident-issue");

  // Taken off (to be carried over later), its minutes stay on this session's page.
  await staff.page.locator(".agenda-item", { hasText: TITLE }).getByTestId("remove-from-agenda").click();
  await expect(candidates.getByText(TITLE)).toBeVisible();
  await expect(staff.page.getByTestId("earlier-minutes")).toContainText(TITLE);
  await expect(staff.page.getByTestId("earlier-minutes")).toContainText("物业答应两周内换好灯");
  await staff.shot("sessions-02b-taken-off");

  // Scoring rules: a value out of range is explained; a good one syncs.
  await staff.open("/work/dialogues");
  const rules = staff.page.getByTestId("scoring-rules");
  await rules.locator("summary").click();
  await expect(rules.getByTestId("rules-summary")).toHaveText("办结所需平均分：3 · 评分天数：14天");
  await rules.getByLabel("办结所需平均分").selectOption("3.5");
  await rules.getByLabel("评分天数").fill("90");
  await rules.getByRole("button", { name: "保存规则" }).click();
  await expect(rules.getByText("评分天数应在1到60之间")).toBeVisible();
  await rules.getByLabel("评分天数").fill("7");
  await rules.getByRole("button", { name: "保存规则" }).click();
  await expect(rules.getByText("评分天数应在1到60之间")).toHaveCount(0);
  await expect(rules.getByTestId("rules-summary")).toHaveText("办结所需平均分：3.5 · 评分天数：7天");
  await expect(rules.getByTestId("sync-state")).toHaveCount(0);
  await audit(staff.page, { minTarget: 44 });
  await staff.shot("sessions-03-rules");

  // Residents read the rules in their community's 台账, in the current values.
  await expect(async () => {
    await resident.open("/ledger");
    await expect(resident.page.getByTestId("rules-summary")).toHaveText("办结所需平均分：3.5 · 评分天数：7天", { timeout: 2_000 });
  }).toPass();
  await expect(resident.page.getByTestId("rules-form")).toHaveCount(0);
  await resident.shot("sessions-04-rules-resident");
  await residentContext.close();
  await staffContext.close();
});
