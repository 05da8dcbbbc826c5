// Staff invite a household; the resident joins through the invitation's QR link, agrees to
// the privacy notice and raises an issue; a resident of another community never sees it;
// deactivated, the resident is signed out at the next sync and the queued action stays.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppPage, countOnServer, expect, test } from "./fixtures/app";
import { audit } from "./fixtures/audit";

const STAFF = "13900000301";
const ELSEWHERE = "13900000003"; // a resident of 汤汪花园

test("a household is invited, joins by QR code, raises an issue, and is deactivated", async ({ browser, server }) => {
  // Staff write the invitation.
  const staffContext = await browser.newContext();
  const staff = new AppPage(await staffContext.newPage(), server);
  await staff.signIn(STAFF);
  await staff.page.getByTestId("community-admin").click();
  await staff.page.locator("select[name=household]").selectOption({ label: "6栋1单元102" });
  await staff.page.getByTestId("create-invitation").click();
  const card = staff.page.getByTestId("new-invitation");
  await expect(card.getByTestId("sync-state")).toHaveText("已提交");
  await audit(staff.page, { minTarget: 44 });
  await staff.shot("join-01-staff-invitation");

  // The resident's phone camera reads the QR code off the staff phone's screen, as the staff
  // member shows it: scrolled just into view, with the tab bar where it always is.
  const qr = join(mkdtempSync(join(tmpdir(), "ywt-qr-")), "screen.png");
  await card.locator(".qr").scrollIntoViewIfNeeded();
  await staff.page.screenshot({ path: qr });
  const link = execFileSync("zbarimg", ["--quiet", "--raw", qr]).toString().trim();
  expect(link).toMatch(new RegExp(`^${server.url}/join/[2-9A-HJ-NP-Z]{10}$`));

  const residentContext = await browser.newContext();
  const resident = new AppPage(await residentContext.newPage(), server);
  await resident.page.goto(link);
  await expect(resident.page.getByTestId("invitation-summary")).toContainText("杉湾花园");
  await expect(resident.page.getByTestId("invitation-summary")).toContainText("6栋1单元");
  await expect(resident.page.getByTestId("invitation-summary")).not.toContainText("102");
  await expect(resident.page.getByTestId("privacy-notice")).toContainText("保存多久");
  await resident.page.getByLabel("称呼").fill("周阿姨");
  await resident.page.getByLabel("手机号").fill("13911112222");
  await resident.page.getByLabel("设置密码").fill("warm-soup-88");
  await resident.page.getByRole("button", { name: "同意并加入" }).click();
  await expect(resident.page.getByTestId("error-consent")).toHaveText("请先阅读并同意隐私说明");
  await audit(resident.page, { minTarget: 44 });
  await resident.shot("join-02-notice-and-form");
  await resident.page.getByLabel("我已阅读并同意以上隐私说明").check();
  await resident.page.getByRole("button", { name: "同意并加入" }).click();
  await expect(resident.page.getByText("您好，周阿姨")).toBeVisible();
  await resident.shot("join-03-joined");

  await resident.open("/issues");
  await resident.raiseIssue({ title: "新住户发现的问题", category: "环境卫生" });
  await expect(resident.syncState()).toHaveText("已提交");

  // The neighbours see it with a masked name; another community never receives it.
  const neighbourContext = await browser.newContext();
  const neighbour = new AppPage(await neighbourContext.newPage(), server);
  await neighbour.signIn("13900000002");
  await neighbour.open("/issues");
  await expect(neighbour.card("新住户发现的问题")).toContainText("周*姨");
  const elsewhereContext = await browser.newContext();
  const elsewhere = new AppPage(await elsewhereContext.newPage(), server);
  await elsewhere.signIn(ELSEWHERE);
  await elsewhere.open("/issues");
  await expect(elsewhere.page.getByTestId("issue-card").first()).toBeVisible();
  await expect(elsewhere.card("新住户发现的问题")).toHaveCount(0);
  expect(await countOnServer(server, "新住户发现的问题", ELSEWHERE)).toBe(0);

  // The resident queues an issue without signal; meanwhile staff deactivate them.
  await residentContext.setOffline(true);
  await resident.open("/issues");
  await resident.raiseIssue({ title: "停用前排队的问题", category: "其他" });
  await expect(resident.syncState()).toHaveText("待同步");
  await staff.open("/work/staff/people");
  const person = staff.page.getByTestId("person-card").filter({ hasText: "周阿姨" });
  await person.getByRole("button", { name: "停用" }).click();
  await person.getByRole("button", { name: "确定停用" }).click();
  await expect(person).toContainText("已停用");
  await staff.shot("join-04-staff-deactivated");

  // Back online, the next sync signs the resident out and says why; the action stays queued.
  await residentContext.setOffline(false);
  await expect(resident.page.getByTestId("sign-in-notice")).toContainText("您的账号已被社区停用");
  await expect(resident.page.getByTestId("sign-in-notice")).toContainText("1条待同步");
  await resident.shot("join-05-deactivated-signed-out");
  await resident.page.reload();
  expect(
    await resident.page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const open = indexedDB.open("yiwantang");
          open.onsuccess = () => {
            const count = open.result.transaction("outbox").objectStore("outbox").count();
            count.onsuccess = () => resolve(count.result);
          };
        }),
    ),
  ).toBe(1);
  expect(await countOnServer(server, "停用前排队的问题")).toBe(0);
  for (const context of [staffContext, residentContext, neighbourContext, elsewhereContext]) await context.close();
});
