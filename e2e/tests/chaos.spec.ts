// A chaos run that counts: real phones (the release app in Chromium, one context each) take
// random actions — raise issues, join a neighbour's (我也遇到), register visiting cars for the
// 孝心车位, book door-to-door services at the market and cancel them — while faults are injected: phones going offline and
// online, pages reloaded in the middle of a sync, the server killed with SIGKILL and started
// again, and, in a proxy in front of the server on loopback, sync responses dropped after the
// server committed, sync requests sent twice, and delays. At the end every action a phone
// created is on the server exactly once, or shown on that phone as refused with a reason:
// nothing lost, nothing doubled.
//
// `cargo xtask test` runs it for about a minute; `cargo xtask chaos --minutes N` for longer
// (YWT_CHAOS_SECONDS). It prints what it did and found.
import { APIRequestContext, BrowserContext, Page, request } from "@playwright/test";
import { randomUUID } from "node:crypto";
import http from "node:http";
import { AddressInfo } from "node:net";
import { AppPage, expect, PASSWORD, test } from "./fixtures/app";
import { Server } from "./fixtures/server";

const SECONDS = Number(process.env.YWT_CHAOS_SECONDS ?? 60);
// Residents of three communities: 杉湾花园 (two, with the parking pool), 汤汪花园, and 九龙花园
// (with the market).
const PEOPLE = ["13900000001", "13900000002", "13900000003", "13900000004"];
const PARKING = new Set([0, 1]);
const MARKET = new Set([3]);
// The market's door-to-door services: a booking carries a note, which names the action.
const AT_HOME = ["跑买办", "水电维修"];

/** What a phone did: raise an issue, join a neighbour's (我也遇到), register a visit, book a
 * service, cancel a booking. */
type Action = "raise" | "join" | "visit" | "book" | "cancel";

/** A plate or a label as the server and the phone both write it: its letters and digits. */
function bare(text: string): string {
  return text.toUpperCase().replace(/[^0-9A-Z\u4e00-\u9fff]/g, "");
}

type Kind = "dropped after commit" | "sent twice" | "delayed" | "offline" | "reload" | "server killed";

/** A proxy on loopback between the phones and the server that misbehaves on sync requests. */
class FaultProxy {
  faults = true;
  readonly injected = new Map<Kind, number>();
  private server?: http.Server;

  constructor(private readonly upstreamPort: number) {}

  count(kind: Kind): void {
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
  }

  async listen(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): void {
    this.server?.closeAllConnections();
    this.server?.close();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const sync = (req.url ?? "").startsWith("/api/sync/");
      const roll = Math.random();
      try {
        if (this.faults && sync && roll < 0.1) {
          // The server commits; the phone never hears back.
          this.count("dropped after commit");
          await this.forward(req, body);
          res.destroy();
          return;
        }
        if (this.faults && sync && roll < 0.2) {
          // The same request arrives twice (a retrying middlebox); the phone hears the second.
          this.count("sent twice");
          await this.forward(req, body).catch(() => undefined);
        } else if (this.faults && sync && roll < 0.3) {
          this.count("delayed");
          await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 2000));
        }
        const answer = await this.forward(req, body);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      } catch {
        // The server is down: the phone sees the connection fail, as it would.
        res.destroy();
      }
    });
  }

  private forward(
    req: http.IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = http.request(
        { host: "127.0.0.1", port: this.upstreamPort, method: req.method, path: req.url, headers: req.headers },
        (response) => {
          const parts: Buffer[] = [];
          response.on("data", (chunk) => parts.push(chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(parts) }));
          response.on("error", reject);
        },
      );
      upstream.on("error", reject);
      upstream.end(body);
    });
  }
}

type Queue = { waiting: number; refused: { name: string; args: any; code: string; message: string }[] };

/** Refusal codes no action of the run may get (docs/PROTOCOL.md). */
const UNEXPECTED = new Set(["forbidden", "update_required", "not_found"]);

/** Reads the app's own IndexedDB: how many actions wait, and those refused (with a reason). */
async function queueOf(page: Page): Promise<Queue> {
  return page.evaluate(
    () =>
      new Promise<Queue>((resolve, reject) => {
        const open = indexedDB.open("yiwantang");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(["outbox", "failed"]);
          const waiting = tx.objectStore("outbox").count();
          const failed = tx.objectStore("failed").getAll();
          tx.oncomplete = () =>
            resolve({
              waiting: waiting.result,
              refused: failed.result
                .filter((entry: any) => entry.mutation && entry.message)
                .map((entry: any) => ({
                  name: entry.mutation.name,
                  args: entry.mutation.args,
                  code: entry.code,
                  message: entry.message,
                })),
            });
        };
      }),
  );
}

/** Watches the server as each person sees it (pulls page by page from a cursor): the rows the
 * run made, by the label that names their action (an issue's title, a visit's plate, a
 * booking's note), with the ids holding that label and when each label was first seen. */
class Watcher {
  readonly firstSeen = new Map<string, number>();
  readonly copies = new Map<string, Set<string>>();
  /** Bookings by note: their id and last state (a cancel is seen as `cancelled`). */
  readonly bookings = new Map<string, { id: string; state: string }>();
  /** 我也遇到 as the server holds it: the run's issues each phone's person joined (by title),
   * and how many joined each issue. */
  readonly joined = PEOPLE.map(() => new Set<string>());
  readonly joinedCount = new Map<string, number>();
  private apis: { api: APIRequestContext; cursor: number | null; client: string }[] = [];

  async start(url: string): Promise<void> {
    for (const phone of PEOPLE) {
      const api = await request.newContext({ baseURL: url });
      const signIn = await api.post("/api/session", { data: { phone, password: PASSWORD } });
      expect(signIn.ok()).toBeTruthy();
      this.apis.push({ api, cursor: null, client: randomUUID() });
    }
  }

  /** One round of pulls; false if the server could not be reached. */
  async poll(): Promise<boolean> {
    for (const [person, watch] of this.apis.entries()) {
      for (let page = 0; page < 100; page++) {
        let body: any;
        try {
          const response = await watch.api.post("/api/sync/pull", {
            data: { client_id: watch.client, cursor: watch.cursor },
            timeout: 5_000,
          });
          if (!response.ok()) return false;
          body = await response.json();
        } catch {
          return false;
        }
        for (const change of body.changes) {
          const label = labelOf(change);
          if (!label) continue;
          if (!this.firstSeen.has(label)) this.firstSeen.set(label, Date.now());
          const ids = this.copies.get(label) ?? new Set<string>();
          ids.add(change.id);
          this.copies.set(label, ids);
          if (change.entity === "booking") this.bookings.set(label, { id: change.id, state: change.data.state });
          if (change.entity === "issue") {
            if (change.data.joined) this.joined[person].add(label);
            this.joinedCount.set(label, change.data.joined_count ?? 0);
          }
        }
        watch.cursor = body.cursor;
        if (!body.has_more) break;
      }
    }
    return true;
  }

  async stop(): Promise<void> {
    for (const { api } of this.apis) await api.dispose();
  }
}

/** The label of a row the run made, or undefined for the demo's own rows. */
function labelOf(change: any): string | undefined {
  const data = change.data ?? {};
  if (change.entity === "issue" && typeof data.title === "string" && data.title.startsWith("混沌")) return data.title;
  if (change.entity === "booking" && typeof data.note === "string" && data.note.startsWith("混沌")) return data.note;
  if (change.entity === "visit" && typeof data.plate === "string" && /^苏K[CE]\d{4}$/.test(bare(data.plate))) return bare(data.plate);
  return undefined;
}

/** The label of a refused action on a phone (the same as the row it would have made). */
function refusedLabel(entry: { name: string; args: any }): string | undefined {
  if (entry.name === "raise_issue") return entry.args?.title;
  if (entry.name === "book_service") return entry.args?.note;
  if (entry.name === "register_visit" && typeof entry.args?.plate === "string") return bare(entry.args.plate);
  return undefined;
}

/** Raises an issue titled `label`. */
async function raise(app: AppPage, label: string): Promise<boolean> {
  await app.open("/issues");
  await app.raiseIssue({ title: label, category: "设施维修" });
  return true;
}

/** Joins (我也遇到) an issue the run raised on `other`'s phone, not yet joined here; answers
 * its title once the join is queued. */
async function join(app: AppPage, other: number, done: Set<string>): Promise<string | undefined> {
  await app.open("/issues");
  const page = app.page;
  const cards = page.getByTestId("issue-card").filter({ hasText: `混沌${other + 1}-` });
  try {
    await cards.first().waitFor({ timeout: 2_000 });
  } catch {
    return undefined; // none of theirs has reached this phone yet
  }
  const titles = (await cards.allTextContents())
    .map((text) => text.match(new RegExp(`混沌${other + 1}-\\d+`))?.[0])
    .filter((title): title is string => title !== undefined && !done.has(title));
  const title = titles[Math.floor(Math.random() * titles.length)];
  if (!title) return undefined;
  try {
    await page
      .getByTestId("issue-card")
      .filter({ has: page.getByText(title, { exact: true }) })
      .first()
      .click({ timeout: 5_000 });
    await page.getByTestId("join-issue").click({ timeout: 5_000 });
    // Queued once the page says so (the button gives way to the words).
    await expect(page.getByText("您已加入，整改后可以评分")).toBeVisible({ timeout: 5_000 });
    done.add(title);
    return title;
  } catch (error) {
    console.log(`join of ${title} not made: ${String(error).split("\n")[0]}`);
    return undefined;
  }
}

/** Registers a one-hour visit of the car `label` (苏KC or 苏KE and four digits) on a random
 * day and start, if the form lets it. */
async function registerVisit(app: AppPage, label: string): Promise<boolean> {
  await app.open("/parking");
  const page = app.page;
  try {
    await page.getByTestId("new-visit").click({ timeout: 10_000 });
    const form = page.getByTestId("visit-form");
    await form.getByTestId("plate-input").fill(label, { timeout: 5_000 });
    // A household has one car at a time: a random day and start spread the visits out.
    const days = form.getByTestId("visit-day");
    await days.nth(Math.floor(Math.random() * (await days.count()))).check({ timeout: 5_000 });
    await form.getByTestId("visit-hours").first().check({ timeout: 5_000 });
    const starts = await form.getByTestId("visit-time").locator("option").evaluateAll((options) =>
      options.map((option) => (option as HTMLOptionElement).value),
    );
    if (starts.length) {
      await form.getByTestId("visit-time").selectOption(starts[Math.floor(Math.random() * starts.length)], { timeout: 5_000 });
    }
    await form.getByTestId("save-visit").click({ timeout: 5_000 });
    // Saved on the phone once its card shows; a form that refused it (no free start) made
    // nothing, and the run does not count it (the server is still checked for copies).
    await expect(page.getByTestId("visit").filter({ hasText: `苏K·${label.slice(2)}` })).toBeVisible({ timeout: 5_000 });
    return true;
  } catch (error) {
    console.log(`visit ${label} not made: ${String(error).split("\n")[0]}`);
    return false;
  }
}

/** Books the first free slot of a door-to-door service with the note `label`, if one is free. */
async function book(app: AppPage, label: string): Promise<boolean> {
  await app.open("/market");
  const page = app.page;
  await page.getByTestId("market-service").first().waitFor({ timeout: 10_000 });
  for (const name of AT_HOME) {
    const slot = page
      .getByTestId("market-service")
      .filter({ hasText: name })
      .locator("[data-testid=market-slot]:not([disabled])")
      .first();
    if ((await slot.count()) === 0) continue;
    try {
      await slot.click({ timeout: 5_000 });
      await page.getByLabel("上门说明（可不填）").fill(label, { timeout: 5_000 });
      await page.getByTestId("confirm-booking-button").click({ timeout: 5_000 });
      await expect(page.getByTestId("booking").filter({ has: page.getByText(label, { exact: true }) })).toBeVisible({ timeout: 5_000 });
      return true;
    } catch (error) {
      // A sync took the slot meanwhile, say; the server is still checked for copies.
      console.log(`booking ${label} not made: ${String(error).split("\n")[0]}`);
      return false;
    }
  }
  return false;
}

/** Cancels one of the run's bookings that the server gave (已预约); answers its note once the
 * cancel is queued. `tried` gets the note as soon as the cancel is confirmed on screen. */
async function cancel(app: AppPage, tried: Set<string>): Promise<string | undefined> {
  await app.open("/market");
  const page = app.page;
  await page.getByTestId("market-service").first().waitFor({ timeout: 10_000 });
  const card = page
    .getByTestId("booking")
    .filter({ hasText: "混沌" })
    .filter({ has: page.getByTestId("booking-state").getByText("已预约", { exact: true }) })
    .filter({ has: page.getByTestId("cancel-booking") })
    .first();
  if ((await card.count()) === 0) return undefined;
  const note = (await card.textContent())?.match(/混沌\d+-\d+/)?.[0];
  if (!note) return undefined;
  // That card and no other, however a sync reorders the list.
  const button = page
    .getByTestId("booking")
    .filter({ has: page.getByText(note, { exact: true }) })
    .getByTestId("cancel-booking");
  try {
    await button.click({ timeout: 5_000 });
    await expect(button).toHaveText("确定取消这个预约", { timeout: 5_000 });
    tried.add(note);
    await button.click({ timeout: 5_000 });
    // Queued once the card no longer offers to cancel.
    await expect(button).toHaveCount(0, { timeout: 5_000 });
    return note;
  } catch (error) {
    console.log(`cancel of ${note} not made: ${String(error).split("\n")[0]}`);
    return undefined;
  }
}

test.setTimeout((SECONDS + 300) * 1000);

test(`chaos: ${SECONDS} s of actions under faults, nothing lost and nothing doubled`, async ({ browser, server }) => {
  const proxy = new FaultProxy(server.port);
  const url = await proxy.listen();
  const site = { url } as unknown as Server;
  server.openParkingAllDay();
  // Rules as staff could set them in 车位管理 for a busy week: 21 visits a week per household
  // (the most the rules allow), so most of the run's visits reach the server; one car at a
  // time, and the week's 21 in a long run, still refuse some.
  server.sql(`
    UPDATE server_version SET version = version + 1 WHERE id = 1;
    UPDATE parking_pools SET per_week = 21, version = (SELECT version FROM server_version WHERE id = 1)
    WHERE community_id = 'shanwan';`);
  const phones: { context: BrowserContext; app: AppPage; offline: boolean; made: number }[] = [];
  for (const phone of PEOPLE) {
    const context = await browser.newContext();
    const app = new AppPage(await context.newPage(), site);
    proxy.faults = false;
    await app.signIn(phone);
    await app.waitForServiceWorker();
    proxy.faults = true;
    phones.push({ context, app, offline: false, made: 0 });
  }
  const watcher = new Watcher();
  await watcher.start(url);

  const created = new Map<string, { phone: number; at: number; action: Action }>();
  /** Bookings the run cancelled, by note; and those it began to cancel. */
  const cancelled = new Map<string, number>();
  const tried = new Set<string>();
  const made = new Map<Action, number>();
  /** Joins, by the phone that joined: the titles joined. */
  const joins = PEOPLE.map(() => new Set<string>());
  let restarting: Promise<void> | undefined;
  /** Phone `which` takes `action`; what it made is counted. */
  const take = async (which: number, action: Action) => {
    const phone = phones[which];
    const n = ++phone.made;
    let label: string | undefined;
    if (action === "raise") {
      label = `混沌${which + 1}-${n}`;
      if (!(await raise(phone.app, label))) label = undefined;
    } else if (action === "join") {
      // The two phones of 杉湾花园 join each other's issues.
      const title = await join(phone.app, 1 - which, joins[which]);
      if (title) made.set(action, (made.get(action) ?? 0) + 1);
    } else if (action === "visit") {
      label = `苏K${which === 0 ? "C" : "E"}${String(n).padStart(4, "0")}`;
      if (!(await registerVisit(phone.app, label))) label = undefined;
    } else if (action === "book") {
      label = `混沌${which + 1}-${n}`;
      if (!(await book(phone.app, label))) label = undefined;
    } else {
      const note = await cancel(phone.app, tried);
      if (note) {
        cancelled.set(note, which);
        made.set(action, (made.get(action) ?? 0) + 1);
      }
    }
    if (label) {
      created.set(label, { phone: which, at: Date.now(), action });
      made.set(action, (made.get(action) ?? 0) + 1);
    }
  };
  // Every kind at least once, already under faults; then at random.
  await take(0, "visit");
  await take(3, "book");
  const deadline = Date.now() + SECONDS * 1000;
  while (Date.now() < deadline) {
    const which = Math.floor(Math.random() * phones.length);
    const phone = phones[which];
    const roll = Math.random();
    if (roll < 0.5) {
      const kinds: Action[] = ["raise"];
      if (PARKING.has(which)) kinds.push("visit", "visit", "join");
      if (MARKET.has(which)) kinds.push("book", "book", "cancel");
      await take(which, kinds[Math.floor(Math.random() * kinds.length)]);
    } else if (roll < 0.65) {
      phone.offline = !phone.offline;
      await phone.context.setOffline(phone.offline);
      proxy.count("offline");
    } else if (roll < 0.8) {
      proxy.count("reload");
      await phone.app.page.reload();
    } else if (roll < 0.86 && !restarting) {
      proxy.count("server killed");
      await server.kill();
      const down = 500 + Math.random() * 2500;
      restarting = new Promise<void>((resolve) => setTimeout(resolve, down))
        .then(() => server.boot())
        .finally(() => (restarting = undefined));
    } else {
      await watcher.poll();
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700));
    }
  }

  // The storm passes: the server is up, every phone online, the proxy honest.
  proxy.faults = false;
  await restarting;
  for (const phone of phones) {
    await phone.context.setOffline(false);
    phone.offline = false;
  }
  let queues: Queue[] = [];
  await expect
    .poll(
      async () => {
        // Each phone is brought to the front (a visible page syncs) and asked what waits.
        queues = [];
        for (const phone of phones) {
          await phone.app.page.bringToFront();
          queues.push(await queueOf(phone.app.page));
        }
        const waiting = queues.reduce((sum, queue) => sum + queue.waiting, 0);
        // The server is read in full once the phones are done: a failed read is not "lost".
        return waiting === 0 && (await watcher.poll()) ? 0 : Math.max(waiting, 1);
      },
      { timeout: 150_000, intervals: [2_000] },
    )
    .toBe(0);

  let lost = 0;
  let doubled = 0;
  let refused = 0;
  let longest = 0;
  const problems: string[] = [];
  /** Why the refused actions were refused, with how many each. */
  const reasons = new Map<string, number>();
  const refusedFor = (phone: number, match: (entry: Queue["refused"][number]) => boolean) => {
    const entry = queues[phone].refused.find(match);
    if (entry) {
      const why = `${entry.name}: ${entry.message}`;
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
      // A rule of the product may refuse an action (full, one car at a time, too late to
      // cancel); a fault never may: a refusal as forbidden, unknown or out of date is a bug,
      // and nobody's issue is ever refused here.
      if (entry.name === "raise_issue" || UNEXPECTED.has(entry.code)) problems.push(`refused wrongly: ${why} (${entry.code})`);
    }
    return entry !== undefined;
  };
  for (const [label, { phone, at, action }] of created) {
    const copies = watcher.copies.get(label)?.size ?? 0;
    const refusedHere = refusedFor(phone, (entry) => refusedLabel(entry) === label);
    // Applied twice shows as two copies, or as one copy and a refusal of the second (the
    // household's own rules refusing the repeat): both are doubles.
    if (copies > 1 || (copies === 1 && refusedHere)) {
      doubled++;
      problems.push(`${action} ${label}: ${copies} copies${refusedHere ? " and refused on the phone" : ""}`);
    }
    if (copies === 0) {
      if (refusedHere) refused++;
      else {
        lost++;
        problems.push(`${action} ${label}: lost`);
      }
    }
    const seen = watcher.firstSeen.get(label);
    if (seen) longest = Math.max(longest, seen - at);
  }
  // Rows the run made but did not count (an action whose screen was slow) still have one copy.
  for (const [label, ids] of watcher.copies) {
    if (ids.size > 1 && !created.has(label)) {
      doubled++;
      problems.push(`${label}: ${ids.size} copies`);
    }
  }
  // A cancel reached the server (the booking is cancelled there) or is refused on the phone,
  // never both; and no booking the run did not try to cancel is cancelled.
  for (const [note, phone] of cancelled) {
    const booking = watcher.bookings.get(note);
    const refusedHere = refusedFor(
      phone,
      (entry) => entry.name === "cancel_booking" && booking !== undefined && entry.args?.booking_id === booking.id,
    );
    if (booking?.state === "cancelled" && refusedHere) {
      doubled++;
      problems.push(`cancel ${note}: cancelled on the server and refused on the phone`);
    } else if (booking?.state === "cancelled") continue;
    else if (refusedHere) refused++;
    else {
      lost++;
      problems.push(`cancel ${note}: the booking is ${booking?.state ?? "missing"} on the server`);
    }
  }
  // A join (我也遇到) is the person counted on the issue once, or refused on their phone.
  for (const [phone, titles] of joins.entries()) {
    for (const title of titles) {
      const ids = watcher.copies.get(title) ?? new Set<string>();
      const there = watcher.joined[phone].has(title);
      const refusedHere = refusedFor(phone, (entry) => entry.name === "join_issue" && ids.has(entry.args?.issue_id));
      if (there && refusedHere) {
        doubled++;
        problems.push(`join ${title} by phone ${phone + 1}: joined and refused on the phone`);
      } else if (refusedHere) refused++;
      else if (!there) {
        lost++;
        problems.push(`join ${title} by phone ${phone + 1}: lost`);
      }
    }
  }
  for (const [title, count] of watcher.joinedCount) {
    const people = watcher.joined.filter((titles) => titles.has(title)).length;
    if (count !== people) {
      doubled++;
      problems.push(`${title}: ${count} joined on the server, ${people} people joined it`);
    }
  }
  for (const [note, { state }] of watcher.bookings) {
    if (state === "cancelled" && !tried.has(note)) problems.push(`booking ${note}: cancelled, but the run never cancelled it`);
  }
  const faults = [...proxy.injected].map(([kind, n]) => `${kind} ${n}`).join(", ");
  const onServer = [...watcher.copies.values()].reduce((sum, ids) => sum + ids.size, 0);
  const actions = [...made].map(([kind, n]) => `${kind} ${n}`).join(", ");
  const total = [...made.values()].reduce((sum, n) => sum + n, 0);
  console.log(
    `chaos (${SECONDS} s, ${PEOPLE.length} phones): ${total} actions created (${actions}); faults: ${faults}; ` +
      `${onServer} effects on the server; ${refused} refused with a reason; lost ${lost}; duplicated ${doubled}; ` +
      `longest from action to the server ${(longest / 1000).toFixed(1)} s` +
      (reasons.size ? `\n  refused: ${[...reasons].map(([why, n]) => `${n} × ${why}`).join("; ")}` : "") +
      (problems.length ? `\n  ${problems.join("\n  ")}` : ""),
  );
  proxy.close();
  await watcher.stop();
  for (const phone of phones) await phone.context.close();
  expect(made.get("visit") ?? 0, "visits registered").toBeGreaterThan(0);
  expect(made.get("book") ?? 0, "services booked").toBeGreaterThan(0);
  expect(problems, "what went wrong").toEqual([]);
  expect(lost, "actions lost").toBe(0);
  expect(doubled, "actions doubled").toBe(0);
});
