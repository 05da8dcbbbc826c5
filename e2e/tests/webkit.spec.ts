// The core journeys in WebKit, the engine of every iPhone browser (WebKitGTK through
// WebDriver, see fixtures/webdriver.ts): sign in; raise an issue while the server is away;
// reload from the service worker with the issue still waiting; the server back, one copy
// synced; book a market slot and show its pass.
import { writeFileSync } from "node:fs";
import { expect, PASSWORD, test } from "./fixtures/app";
import { WebKit } from "./fixtures/webdriver";

const ZHAO = "13900000004"; // 赵玉珍, 九龙花园 (the market is there)

test("WebKit: sign in, raise while the server is away, reload offline from the service worker, one copy synced; book and show the pass", async ({ server }, testInfo) => {
  test.setTimeout(180_000);
  const webkit = await WebKit.start();
  try {
    console.log(`WebKitGTK ${webkit.version}`);
    await webkit.go(`${server.url}/login`);
    await webkit.type("input[name=phone]", ZHAO);
    await webkit.type("input[name=password]", PASSWORD);
    await webkit.click("button[type=submit]");
    await webkit.sees("main", "您好，赵玉珍");
    await webkit.until(
      "the service worker to control the page",
      "return !!(navigator.serviceWorker && navigator.serviceWorker.controller);",
      30_000,
    );

    // The server goes away; the app still opens (from the service worker) and keeps the issue.
    await server.kill();
    await webkit.go(`${server.url}/issues`);
    await webkit.click("[data-testid=raise-issue]");
    await webkit.type("input[name=title]", "WebKit里提的问题");
    await webkit.click("label", "设施维修");
    await webkit.type("input[name=place]", "3栋门口");
    await webkit.click("[data-testid=submit-issue]");
    await webkit.sees("[data-testid=issue-detail] [data-testid=sync-state]", "待同步");
    await webkit.reload();
    await webkit.sees("[data-testid=issue-detail]", "WebKit里提的问题");
    await webkit.sees("[data-testid=issue-detail] [data-testid=sync-state]", "待同步");
    expect(await webkit.run<boolean>("return !!navigator.serviceWorker.controller;")).toBe(true);

    // Back: the engine's own triggers push it, once.
    await server.boot();
    await webkit.run("window.dispatchEvent(new Event('online'));");
    await webkit.sees("[data-testid=issue-detail] [data-testid=sync-state]", "已提交", 30_000);
    await webkit.reload();
    await webkit.sees("[data-testid=issue-detail] [data-testid=sync-state]", "已提交");
    expect(server.sql("SELECT count(*) FROM issues WHERE title = 'WebKit里提的问题';").trim()).toBe("1");

    // A market booking, and its pass with the short code.
    await webkit.go(`${server.url}/market`);
    await webkit.sees("[data-testid=market-service]", "水电维修");
    await webkit.run(`[...document.querySelectorAll("[data-testid=market-service]")]
      .find((e) => e.textContent.includes("水电维修"))
      .querySelector("[data-testid=market-slot]").click();`);
    await webkit.click("[data-testid=confirm-booking-button]");
    await webkit.until(
      "the plumber's booking to be 已预约",
      `return [...document.querySelectorAll("[data-testid=booking]")]
        .some((b) => b.textContent.includes("水电维修") && b.querySelector("[data-testid=booking-state]")?.textContent === "已预约");`,
      30_000,
    );
    await webkit.run(`[...document.querySelectorAll("[data-testid=booking]")]
      .find((b) => b.textContent.includes("水电维修"))
      .querySelector("[data-testid=show-pass]").click();`);
    await webkit.sees("[data-testid=pass]", "水电维修");
    expect(await webkit.text("[data-testid=pass-code]")).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    writeFileSync("screenshots/webkit-01-pass.png", await webkit.screenshot());
    expect(server.sql("SELECT count(*) FROM bookings b JOIN market_services s ON s.id = b.service_id WHERE s.name = '水电维修' AND b.state = 'booked' AND b.for_name = '赵玉珍';").trim()).toBe("1");
    // No page of the journey panicked (WebDriver cannot listen to the page's errors; the app
    // keeps its panics for the tab: store::panics).
    expect(await webkit.run<string | null>("return sessionStorage.getItem('ywt.panics');")).toBeNull();
  } catch (error) {
    console.log(`panics kept by the app: ${await webkit.run<string | null>("return sessionStorage.getItem('ywt.panics');").catch(String)}`);
    console.log(await webkit.runAsync<string>(`const done = arguments[arguments.length - 1];
      const r = indexedDB.open("yiwantang"); const t = setTimeout(() => done("idb open hangs"), 3000);
      r.onblocked = () => done("idb open blocked");
      r.onerror = () => done("idb open error " + r.error);
      r.onsuccess = () => { clearTimeout(t);
        const tx = r.result.transaction(["meta", "outbox"], "readwrite");
        const t2 = setTimeout(() => done("idb readwrite transaction hangs"), 3000);
        tx.objectStore("meta").get("session").onsuccess = (e) => { clearTimeout(t2); done("idb ok, session " + !!e.target.result); };
      };`).catch(String));
    console.log(`--- WebKit page at failure ---\n${await webkit.run<string>("return location.href + '\\n' + document.body.innerText;").catch(String)}`);
    await testInfo.attach("webkit-screen", { body: await webkit.screenshot().catch(() => Buffer.alloc(0)), contentType: "image/png" });
    await testInfo.attach("webkitwebdriver-log", { body: webkit.driverLog, contentType: "text/plain" });
    throw error;
  } finally {
    await webkit.quit();
  }
});
