// The 双月对话 loop with four people on four phones: a resident raises an issue without
// signal, a neighbour joins it, staff accept it, the property company answers and
// rectifies, two low scores send it back, the second rectification scores 4 and 5 and the
// issue closes; the ledger counts it.
import { BrowserContext, Page } from "@playwright/test";
import { AppPage, expect, test } from "./fixtures/app";
import { audit } from "./fixtures/audit";
import { Server } from "./fixtures/server";

const RESIDENT = "13900000001";
const NEIGHBOUR = "13900000002";
const STAFF = "13900000301";
const PROPERTY = "13900000201";
const TITLE = "3栋电梯经常停运";
const PHOTO = `${process.env.YWT_DIST}/icons/icon-512.png`;

async function phone(context: BrowserContext, server: any, number: string): Promise<AppPage> {
  const app = new AppPage(await context.newPage(), server);
  await app.signIn(number);
  return app;
}

/** Opens the issue fresh (a reload syncs), and waits for the server's state: in the work app
 * for staff and the property company, in the resident app for residents. */
async function openIssue(app: AppPage, id: string, status: string, work = false): Promise<Page> {
  await app.open(`${work ? "/work" : ""}/issues/${id}`);
  await expect(app.page.getByTestId("issue-detail").getByTestId("status")).toHaveText(status);
  return app.page;
}

async function settled(app: AppPage, status: string) {
  await expect(app.syncState()).toHaveText("已提交");
  await expect(app.page.getByTestId("issue-detail").getByTestId("status")).toHaveText(status);
}

/** Waits until the server holds a score of `value` on the issue. */
async function scoredOnServer(server: Server, id: string, value: number) {
  await expect
    .poll(() => server.sql(`SELECT count(*) FROM scores WHERE issue_id = '${id}' AND value = ${value};`).trim(), { timeout: 20_000 })
    .toBe("1");
}

async function score(app: AppPage, value: number) {
  const box = app.page.getByTestId("score-box");
  await box.getByRole("radio", { name: String(value) }).check();
  await box.getByTestId("submit-score").click();
}

async function resolvedAllTime(app: AppPage): Promise<number> {
  await app.open("/work/ledger");
  await app.page.getByRole("button", { name: "全部" }).click();
  await expect(app.page.getByTestId("figure-FigRaised").locator(".figure-value")).not.toHaveText("0");
  return Number(await app.page.getByTestId("figure-FigResolved").locator(".figure-value").textContent());
}

test("raise offline → accept → answer → rectify → 2 and 2 reopen → 4 and 5 close; the ledger follows", async ({ browser, server }) => {
  const contexts = await Promise.all([0, 1, 2, 3].map(() => browser.newContext()));
  const [residentContext, neighbourContext, staffContext, propertyContext] = contexts;
  const resident = await phone(residentContext, server, RESIDENT);
  const neighbour = await phone(neighbourContext, server, NEIGHBOUR);
  const staff = await phone(staffContext, server, STAFF);
  const property = await phone(propertyContext, server, PROPERTY);
  const resolvedBefore = await resolvedAllTime(staff);

  // Raised with no signal: kept on the phone, sent when the signal returns.
  await residentContext.setOffline(true);
  await resident.open("/issues");
  await resident.raiseIssue({ title: TITLE, category: "设施维修", place: "3栋", description: "一周停了三次，老人上下楼困难。" });
  await expect(resident.syncState()).toHaveText("待同步");
  await resident.shot("loop-01-raised-offline");
  await residentContext.setOffline(false);
  await expect(resident.syncState()).toHaveText("已提交");
  const id = resident.page.url().split("/issues/")[1].split("?")[0];

  // The neighbour has the same problem: 我也遇到.
  await openIssue(neighbour, id, "待受理");
  await neighbour.page.getByTestId("join-issue").click();
  await expect(neighbour.page.getByText("您已加入")).toBeVisible();
  await expect(neighbour.syncState()).toHaveText("已提交");
  await neighbour.shot("loop-02-neighbour-joined");

  // Staff accept it as a project.
  await openIssue(staff, id, "待受理", true);
  await staff.page.getByTestId("accept-issue").click();
  await settled(staff, "已立项");
  await audit(staff.page, { minTarget: 44 });
  await staff.shot("loop-03-staff-accepted");

  // The property company answers, starts, and reports the work done.
  await openIssue(property, id, "已立项", true);
  const answer = property.page.getByTestId("answer-box");
  await answer.getByLabel("答复").fill("已联系电梯维保单位检修。");
  await answer.getByLabel("整改方案").fill("更换控制板，每月例行保养。");
  await answer.getByRole("button", { name: "答复" }).click();
  await settled(property, "已答复");
  await property.page.getByTestId("start-rectifying").click();
  await settled(property, "整改中");
  // Evidence: a photo, compressed on the phone and sent through the queue.
  await property.page.getByTestId("add-photo-rectification").locator("input").setInputFiles(PHOTO);
  await expect(property.syncState()).toHaveText("已提交");
  await property.page.getByTestId("report-box").getByLabel("整改情况").fill("已更换控制板。");
  await property.page.getByTestId("report-box").getByRole("button").click();
  await settled(property, "待评分");
  await property.shot("loop-04-property-reported");

  // The resident's 议事 tab says something moved; looking at the issue clears it.
  await resident.open("/");
  await expect(resident.page.getByTestId("badge-issues")).toHaveText("1");
  await resident.open("/issues/mine");
  await expect(resident.page.getByTestId("needs-score")).toContainText(TITLE);

  // Two low scores: 退回重办. The resident sees the evidence, served by the server.
  await resident.waitForServiceWorker();
  await openIssue(resident, id, "待评分");
  await expect(resident.page.getByTestId("badge-issues")).toHaveCount(0);
  const evidence = resident.page.getByTestId("photos-rectification").locator("img");
  await expect(evidence).toHaveCount(1);
  await expect.poll(() => evidence.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  // Seen once, the evidence shows without signal too (the service worker kept it).
  await residentContext.setOffline(true);
  await resident.page.reload();
  const offlineEvidence = resident.page.getByTestId("photos-rectification").locator("img");
  await expect.poll(() => offlineEvidence.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await residentContext.setOffline(false);
  await audit(resident.page, { minTarget: 44 });
  await resident.shot("loop-05-score-box");
  await score(resident, 2);
  // The server has her score before the neighbour's comes (the second score decides the
  // round; the issue's own badge says 已提交 before her score has even been queued).
  await scoredOnServer(server, id, 2);
  await openIssue(neighbour, id, "待评分");
  await score(neighbour, 2);
  await settled(neighbour, "整改中");
  await expect(neighbour.page.getByTestId("round")).toContainText("退回重办");
  await neighbour.shot("loop-06-reopened");

  // Rectified again; 4 and 5 close it.
  await openIssue(property, id, "整改中", true);
  await property.page.getByTestId("report-box").getByLabel("整改情况").fill("维保单位已彻底检修，连续一周运行正常。");
  await property.page.getByTestId("report-box").getByRole("button").click();
  await settled(property, "待评分");
  await openIssue(resident, id, "待评分");
  await score(resident, 4);
  await scoredOnServer(server, id, 4);
  await openIssue(neighbour, id, "待评分");
  await score(neighbour, 5);
  await settled(neighbour, "已办结");
  await expect(neighbour.page.getByTestId("round").last()).toContainText("已办结");
  await neighbour.shot("loop-07-closed");
  // Signing out forgets the photos kept on the phone.
  expect(await resident.page.evaluate(() => caches.has("ywt-photos"))).toBe(true);
  await resident.open("/me");
  await resident.page.getByTestId("sign-out").click();
  await expect(resident.page.getByLabel("手机号")).toBeVisible();
  expect(await resident.page.evaluate(() => caches.has("ywt-photos"))).toBe(false);

  // The ledger counts it (once the staff phone has pulled), and shows it behind the figure.
  await staff.open("/work/ledger");
  await staff.page.getByRole("button", { name: "全部" }).click();
  await expect(staff.page.getByTestId("figure-FigResolved").locator(".figure-value")).toHaveText(String(resolvedBefore + 1));
  await staff.page.getByTestId("figure-FigResolved").click();
  await expect(staff.page.getByTestId("drill-down").getByText(TITLE)).toBeVisible();
  await staff.shot("loop-08-ledger");
  // Residents read their community's figures in their own app, computed on the phone too.
  await neighbour.open("/ledger");
  await expect(neighbour.page.getByTestId("figure-FigResolved").locator(".figure-value")).toHaveText(String(resolvedBefore + 1));
  await neighbour.shot("loop-09-resident-ledger");
  for (const context of contexts) await context.close();
});

test("the ledger shows the article's figures for 杉湾花园, October 2018 to March 2020", async ({ page, server }) => {
  const app = new AppPage(page, server);
  await app.signIn(STAFF);
  await app.open("/work/ledger");
  await page.getByRole("button", { name: "2018年10月至2020年3月" }).click();
  const figures = page.getByTestId("figures");
  for (const [figure, value] of [["FigDialogues", "8"], ["FigRaised", "70"], ["FigProjects", "62"], ["FigResolved", "47"]]) {
    await expect(figures.getByTestId(`figure-${figure}`).locator(".figure-value")).toHaveText(value);
  }
  await expect(page.getByTestId("chart").locator("rect")).not.toHaveCount(0);
  await audit(page, { minTarget: 44 });
  await app.shot("ledger-01-article");
  // The export is real: the server computes the same figures into a spreadsheet.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "导出 Excel" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.xlsx$/);
  await app.open("/work/dialogues");
  await expect(page.getByTestId("dialogue-list").locator("li")).toHaveCount(8);
  await app.shot("ledger-02-dialogues");
});
