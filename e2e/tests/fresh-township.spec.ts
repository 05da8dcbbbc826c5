// A real deployment, with no demo data: whoever runs the server creates the township with
// `new-township`; its first staff member redeems the printed setup code on their phone,
// opens a community and invites its first staff, who add a household and invite a resident,
// who joins and raises an issue — which reaches the township.
import { Server } from "./fixtures/server";
import { AppPage, expect, test } from "./fixtures/app";
import { audit } from "./fixtures/audit";

test("a fresh township is set up from its setup code down to a resident's first issue", async ({ browser }) => {
  const server = await Server.start(undefined, { demo: false });
  try {
    const code = server.newTownship("hupan", "湖畔乡");
    const communities = await (await fetch(`${server.url}/api/communities`)).json();
    expect(communities).toEqual([]);

    // The township's first staff member sets up their account with the code.
    const townshipContext = await browser.newContext();
    const township = new AppPage(await townshipContext.newPage(), server);
    await township.open("/work/setup");
    await township.page.getByLabel("开通码").fill("AAAAA-AAAAA");
    await township.page.getByLabel("称呼").fill("周主任");
    await township.page.getByLabel("手机号").fill("13700000001");
    await township.page.getByLabel("设置密码").fill("hupan-lake-2026");
    await township.page.getByLabel("我已阅读并同意《隐私说明》").check();
    await township.page.getByRole("button", { name: "同意并开通" }).click();
    await expect(township.page.getByRole("alert")).toBeVisible();
    await township.page.getByLabel("开通码").fill(code);
    await audit(township.page, { minTarget: 44 });
    await township.shot("fresh-01-setup");
    await township.page.getByRole("button", { name: "同意并开通" }).click();
    await expect(township.page.getByTestId("community-form")).toBeVisible();

    // …opens a community and invites its first staff member.
    await township.page.getByLabel("社区名称").fill("湖畔社区");
    await township.page.getByTestId("add-community").click();
    const card = township.page.getByTestId("community-card").filter({ hasText: "湖畔社区" });
    await expect(card.getByTestId("sync-state")).toHaveText("已提交");
    await card.getByTestId("invite-community-staff").click();
    const invitation = township.page.getByTestId("new-invitation");
    await expect(invitation.getByTestId("sync-state")).toHaveText("已提交");
    await audit(township.page, { minTarget: 44 });
    await township.shot("fresh-02-township-invites-staff");
    const staffCode = (await invitation.getByTestId("invitation-code").innerText()).trim();

    // The community's staff member joins and invites a household.
    const staffContext = await browser.newContext();
    const staff = new AppPage(await staffContext.newPage(), server);
    await staff.open(`/join/${staffCode.replace("-", "")}`);
    await expect(staff.page.getByTestId("invitation-summary")).toContainText("湖畔社区");
    await staff.page.getByLabel("称呼").fill("孙丽");
    await staff.page.getByLabel("手机号").fill("13700000002");
    await staff.page.getByLabel("设置密码").fill("hupan-staff-2026");
    await staff.page.getByLabel("我已阅读并同意以上隐私说明").check();
    await staff.page.getByRole("button", { name: "同意并加入" }).click();
    await expect(staff.page.getByTestId("community-admin")).toBeVisible();
    await staff.open("/work/staff/households");
    await staff.page.getByLabel("楼栋").fill("3栋");
    await staff.page.getByLabel("单元").fill("1单元");
    await staff.page.getByLabel("门牌号").fill("402");
    await staff.page.getByTestId("household-form").getByRole("button").click();
    // A household row shows 待同步 until the server has it, then nothing.
    const household = staff.page.getByTestId("household-row").filter({ hasText: "3栋1单元402" });
    await expect(household).toBeVisible();
    await expect(household.getByTestId("sync-state")).toHaveCount(0);
    await staff.open("/work/staff");
    await staff.page.locator("select[name=household]").selectOption({ label: "3栋1单元402" });
    await staff.page.getByTestId("create-invitation").click();
    const residentInvitation = staff.page.getByTestId("new-invitation");
    await expect(residentInvitation.getByTestId("sync-state")).toHaveText("已提交");
    const residentCode = (await residentInvitation.getByTestId("invitation-code").innerText()).trim();

    // The resident joins and raises the community's first issue.
    const residentContext = await browser.newContext();
    const resident = new AppPage(await residentContext.newPage(), server);
    await resident.open(`/join/${residentCode.replace("-", "")}`);
    await resident.page.getByLabel("称呼").fill("王阿姨");
    await resident.page.getByLabel("手机号").fill("13700000003");
    await resident.page.getByLabel("设置密码").fill("warm-lake-88");
    await resident.page.getByLabel("我已阅读并同意以上隐私说明").check();
    await resident.page.getByRole("button", { name: "同意并加入" }).click();
    await expect(resident.page.getByText("您好，王阿姨")).toBeVisible();
    await resident.open("/issues");
    await resident.raiseIssue({ title: "湖边路灯不亮", category: "其他" });
    await expect(resident.syncState()).toHaveText("已提交");

    // The township sees it among its communities' issues.
    await township.open("/work/issues");
    await expect(township.page.getByTestId("issue-card").filter({ hasText: "湖边路灯不亮" })).toBeVisible();
    await township.shot("fresh-03-township-sees-the-issue");

    // The demo password is no password here, and the demo cannot be loaded into this database.
    const demo = await fetch(`${server.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ phone: "13900000501", password: "yiwantang-demo" }),
    });
    expect(demo.status).toBe(401);
    for (const context of [townshipContext, staffContext, residentContext]) await context.close();
  } finally {
    await server.stop();
  }
});
