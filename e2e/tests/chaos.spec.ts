// A chaos run that counts: real phones (the release app in Chromium, one context each) raise
// issues while faults are injected — phones going offline and online, pages reloaded in the
// middle of a sync, the server killed with SIGKILL and started again, and, in a proxy in front
// of the server on loopback, sync responses dropped after the server committed, sync requests
// sent twice, and delays. At the end every issue a phone created is on the server exactly
// once, or shown on that phone as refused with a reason: nothing lost, nothing doubled.
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
// Residents of three communities: 杉湾花园 (two), 汤汪花园, 九龙花园.
const PEOPLE = ["13900000001", "13900000002", "13900000003", "13900000004"];

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

/** Reads the app's own IndexedDB: how many actions wait, and the titles refused. */
async function queueOf(page: Page): Promise<{ waiting: number; refused: string[] }> {
  return page.evaluate(
    () =>
      new Promise<{ waiting: number; refused: string[] }>((resolve, reject) => {
        const open = indexedDB.open("yiwantang");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(["outbox", "failed"]);
          const waiting = tx.objectStore("outbox").count();
          const failed = tx.objectStore("failed").getAll();
          tx.oncomplete = () =>
            resolve({
              waiting: waiting.result,
              refused: failed.result.map((entry: any) => entry.mutation?.args?.title).filter(Boolean),
            });
        };
      }),
  );
}

/** Watches the server as each person sees it (pulls page by page from a cursor). */
class Watcher {
  readonly firstSeen = new Map<string, number>();
  readonly copies = new Map<string, Set<string>>();
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
    for (const watch of this.apis) {
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
          const title = change.data?.title;
          if (change.entity !== "issue" || typeof title !== "string" || !title.startsWith("混沌")) continue;
          if (!this.firstSeen.has(title)) this.firstSeen.set(title, Date.now());
          const ids = this.copies.get(title) ?? new Set<string>();
          ids.add(change.id);
          this.copies.set(title, ids);
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

test.setTimeout((SECONDS + 300) * 1000);

test(`chaos: ${SECONDS} s of actions under faults, nothing lost and nothing doubled`, async ({ browser, server }) => {
  const proxy = new FaultProxy(server.port);
  const url = await proxy.listen();
  const site = { url } as unknown as Server;
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

  const created = new Map<string, { phone: number; at: number }>();
  let restarting: Promise<void> | undefined;
  const deadline = Date.now() + SECONDS * 1000;
  while (Date.now() < deadline) {
    const which = Math.floor(Math.random() * phones.length);
    const phone = phones[which];
    const roll = Math.random();
    if (roll < 0.5) {
      const title = `混沌${which + 1}-${++phone.made}`;
      await phone.app.open("/issues");
      await phone.app.raiseIssue({ title, category: "设施维修" });
      created.set(title, { phone: which, at: Date.now() });
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
  let queues: { waiting: number; refused: string[] }[] = [];
  await expect
    .poll(
      async () => {
        // Each phone is brought to the front (a visible page syncs) and asked what waits.
        queues = [];
        for (const phone of phones) {
          await phone.app.page.bringToFront();
          queues.push(await queueOf(phone.app.page));
        }
        await watcher.poll();
        return queues.reduce((sum, queue) => sum + queue.waiting, 0);
      },
      { timeout: 150_000, intervals: [2_000] },
    )
    .toBe(0);
  await watcher.poll();

  let lost = 0;
  let doubled = 0;
  let refused = 0;
  let longest = 0;
  for (const [title, { phone, at }] of created) {
    const copies = watcher.copies.get(title)?.size ?? 0;
    if (copies > 1) doubled++;
    if (copies === 0) {
      if (queues[phone].refused.includes(title)) refused++;
      else lost++;
    }
    const seen = watcher.firstSeen.get(title);
    if (seen) longest = Math.max(longest, seen - at);
  }
  const faults = [...proxy.injected].map(([kind, n]) => `${kind} ${n}`).join(", ");
  const onServer = [...watcher.copies.values()].reduce((sum, ids) => sum + ids.size, 0);
  console.log(
    `chaos (${SECONDS} s, ${PEOPLE.length} phones): ${created.size} actions created; faults: ${faults}; ` +
      `${onServer} effects on the server; ${refused} refused with a reason; lost ${lost}; duplicated ${doubled}; ` +
      `longest from action to the server ${(longest / 1000).toFixed(1)} s`,
  );
  proxy.close();
  await watcher.stop();
  for (const phone of phones) await phone.context.close();
  expect(created.size).toBeGreaterThan(0);
  expect(lost, "actions lost").toBe(0);
  expect(doubled, "actions doubled").toBe(0);
});
