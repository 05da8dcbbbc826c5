// Writes the two apps' file lists and a content hash into dist/sw.js, after both are built
// (`cargo xtask` runs it: node scripts/sw-precache.mjs <dist>). The resident app's shell is
// every file of dist/ outside work/; the work app's is every file under dist/work/. The
// service worker precaches the first at install and the second only for people who hold a
// work role (the app asks it to, after sign-in).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const dist = process.argv[2];
if (!dist) throw new Error("usage: node scripts/sw-precache.mjs <dist>");

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const skip = (path) => path === "sw.js" || path.endsWith(".gz") || path.endsWith(".br") || path.endsWith(".svg");
const files = walk(dist)
  .map((path) => relative(dist, path).split("\\").join("/"))
  .filter((path) => !skip(path))
  .sort();
const work = files.filter((file) => file.startsWith("work/"));
const resident = files.filter((file) => !file.startsWith("work/"));
if (!resident.includes("index.html") || !work.includes("work/index.html")) {
  throw new Error(`${dist} must hold both apps: index.html and work/index.html`);
}

const hash = createHash("sha256");
for (const file of files) {
  hash.update(file);
  hash.update(readFileSync(join(dist, file)));
}
const version = hash.digest("hex").slice(0, 16);
// "/" is not listed: navigations are answered with /index.html. No duplicates (Cache.addAll rejects them).
const urls = (list) => [...new Set(list.map((file) => `/${file}`))];

const swPath = join(dist, "sw.js");
const sw = readFileSync(swPath, "utf8")
  .replace('"__YWT_VERSION__"', JSON.stringify(version))
  .replace("__YWT_PRECACHE__", JSON.stringify(urls(resident)))
  .replace("__YWT_WORK__", JSON.stringify(urls(work)));
if (sw.includes("__YWT_")) throw new Error("sw.js still holds a placeholder");
writeFileSync(swPath, sw);
console.log(`sw.js: version ${version}; resident app ${resident.length} files, work app ${work.length} files`);
