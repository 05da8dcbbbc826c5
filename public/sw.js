// 一碗汤 service worker, for both apps on this origin: keeps the resident app's shell on the
// phone so it opens with no signal, keeps the work app's shell too for people who hold a work
// role (only once the app asks: a resident never downloads it), and (where the browser has
// Background Sync) pushes the queued actions after the tab closed.
//
// The build writes both file lists and a content hash below (scripts/sw-precache.mjs).
// A new version installs in the background and waits: it takes over only when the person
// taps 更新 in the app, so an open tab never loses the files it is running.
const VERSION = "__YWT_VERSION__";
const PRECACHE = __YWT_PRECACHE__;
const WORK = __YWT_WORK__;
const CACHE = `ywt-shell-${VERSION}`;
const WORK_CACHE = `ywt-work-${VERSION}`;

async function hasWorkApp() {
  return (await caches.keys()).some((key) => key.startsWith("ywt-work-"));
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      await (await caches.open(CACHE)).addAll(PRECACHE);
      // A phone that had the work app keeps it across updates.
      if (await hasWorkApp()) await (await caches.open(WORK_CACHE)).addAll(WORK);
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
  // Sent by the app after sign-in when the person holds a work role, and at sign-out.
  if (event.data === "cache-work") event.waitUntil(caches.open(WORK_CACHE).then((cache) => cache.addAll(WORK)));
  if (event.data === "forget-work") event.waitUntil(caches.delete(WORK_CACHE));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => (key.startsWith("ywt-shell-") && key !== CACHE) || (key.startsWith("ywt-work-") && key !== WORK_CACHE))
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

/** Navigations under /work/ get the work app's shell, every other route the resident's. */
async function shell(request, url) {
  if (url.pathname === "/work" || url.pathname.startsWith("/work/")) {
    const cached = await caches.match("/work/index.html", { cacheName: WORK_CACHE });
    if (cached) return cached;
    try {
      return await fetch(request);
    } catch {
      // Offline and never downloaded here: the resident shell says so (its /work route).
      const resident = await caches.match("/index.html", { cacheName: CACHE });
      if (resident) return resident;
      throw new Error("offline");
    }
  }
  return (await caches.match("/index.html", { cacheName: CACHE })) || fetch(request);
}

async function file(request) {
  return (
    (await caches.match(request, { cacheName: CACHE })) ||
    (await caches.match(request, { cacheName: WORK_CACHE })) ||
    fetch(request)
  );
}

// Photos of issues, kept once seen so an issue's evidence shows without signal. A photo
// never changes under its id. The app deletes this cache when the person signs out, and the
// server forbids the HTTP cache to keep photos, so nothing lingers for the next person.
const PHOTOS = "ywt-photos";

const PHOTOS_KEPT = 300;

async function photo(request) {
  const cache = await caches.open(PHOTOS);
  const cached = await cache.match(request);
  if (cached) return cached;
  // Never from the HTTP cache: older builds let it keep photos for a year.
  const response = await fetch(request, { cache: "no-store" });
  if (response.ok) {
    await cache.put(request, response.clone());
    // Keep the most recent photos only (keys come back in insertion order).
    const keys = await cache.keys();
    await Promise.all(keys.slice(0, Math.max(0, keys.length - PHOTOS_KEPT)).map((key) => cache.delete(key)));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method === "GET" && url.origin === self.location.origin && url.pathname.startsWith("/api/photos/")) {
    event.respondWith(photo(request));
    return;
  }
  // The rest of the API always goes to the network: the app's own outbox handles being offline.
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(shell(request, url));
    return;
  }
  event.respondWith(file(request));
});

// Background Sync: push the queue once the network is back, even with every tab closed.
// The worker only reads the outbox; the server keeps each result, and the app settles the
// queue from the next pull, so nothing is written here and nothing can be lost here.
self.addEventListener("sync", (event) => {
  if (event.tag === "ywt-push") event.waitUntil(pushQueue());
});

function request(idbRequest) {
  return new Promise((resolve, reject) => {
    idbRequest.onsuccess = () => resolve(idbRequest.result);
    idbRequest.onerror = () => reject(idbRequest.error);
  });
}

function openDatabase() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open("yiwantang");
    // The app creates the database; never create an empty one here.
    open.onupgradeneeded = () => open.transaction.abort();
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function pushQueue() {
  let db;
  try {
    db = await openDatabase();
  } catch {
    return;
  }
  try {
    const tx = db.transaction(["meta", "outbox"], "readonly");
    const session = await request(tx.objectStore("meta").get("session"));
    if (!session) return;
    const client = await request(tx.objectStore("meta").get(`client:${session.user_id}`));
    if (!client) return;
    const entries = await request(tx.objectStore("outbox").getAll());
    const mutations = entries
      .filter((entry) => entry.client_id === client.client_id && !entry.submitted)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, 100)
      .map((entry) => entry.mutation);
    if (mutations.length === 0) return;
    const response = await fetch("/api/sync/push", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_id: client.client_id, mutations }),
    });
    // A server error: reject, so the browser tries again later with its own backoff.
    if (response.status >= 500) throw new Error(`push answered ${response.status}`);
  } finally {
    db.close();
  }
}
