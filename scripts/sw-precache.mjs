// Trunk post_build hook: writes the app shell's file list and a content hash into sw.js.
// Runs in $TRUNK_STAGING_DIR before the files move to dist/, so the hashed names Trunk just
// emitted are the ones the service worker precaches.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error("TRUNK_STAGING_DIR is not set: run this from Trunk's post_build hook");

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const skip = (path) => path === "sw.js" || path.endsWith(".gz") || path.endsWith(".br") || path.endsWith(".svg");
const files = walk(staging)
  .map((path) => relative(staging, path).split("\\").join("/"))
  .filter((path) => !skip(path))
  .sort();

const hash = createHash("sha256");
for (const file of files) {
  hash.update(file);
  hash.update(readFileSync(join(staging, file)));
}
const version = hash.digest("hex").slice(0, 16);
// "/" is not listed: navigations are answered with /index.html. No duplicates (Cache.addAll rejects them).
const urls = [...new Set(files.map((file) => `/${file}`))];

const swPath = join(staging, "sw.js");
const sw = readFileSync(swPath, "utf8")
  .replace('"__YWT_VERSION__"', JSON.stringify(version))
  .replace("__YWT_PRECACHE__", JSON.stringify(urls));
writeFileSync(swPath, sw);
console.log(`sw.js: precaching ${urls.length} files, version ${version}`);
