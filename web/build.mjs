// Build what the node serves into src/planet/web/dist. The origin holds wallets' keys, so
// everything a page runs comes from here (no CDN) and passes the node's CSP (no inline script):
// - assets/app-HASH.js (web/src/ui/app.js with the SDK, ESM, minified) and the chunks it shares
//   with the pages it loads when opened (assets/chunk-HASH.js; index.html preloads the ones
//   app.js imports), and assets/app-HASH.css;
// - assets/swagger-HASH.js, the Swagger UI initializer for /docs (a file: the CSP forbids the
//   inline <script> FastAPI's page uses), and the favicon and the pinned Swagger UI and ReDoc
//   bundles from node_modules (assets/vendor/), renamed with a hash of their content;
// - index.html, docs.html, redoc.html and manifest.webmanifest (the PWA's name in Chinese and
//   English, and its icons from web/public/icons) from the templates in web/public, with each
//   {{name}} replaced by the hashed URL of that asset;
// - sw.js, the service worker that keeps the app shell for offline use, from
//   web/public/sw.js with the shell's URLs and a version hashed from them (so each build is a
//   new worker with its own cache);
// - a .gz and a .br next to every compressible file, so the node never compresses per request.
// Everything under assets/ is named by its content, so the node lets browsers cache it for a
// year; the pages are revalidated. No source maps are written: they are for the watch build.
import { build, context } from "esbuild";
import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, brotliCompressSync, gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "src", "planet", "web", "dist");
const assets = join(dist, "assets");
const modules = join(here, "node_modules");
const watch = process.argv.includes("--watch");

// The {{name}} each esbuild entry point fills in the page templates.
const ENTRIES = {
  "app.js": join(here, "src", "ui", "app.js"),
  "app.css": join(here, "src", "ui", "app.css"),
  "swagger.js": join(here, "src", "docs", "swagger.js"),
};
// Files shipped as they are: the favicon, and the prebuilt Swagger UI and ReDoc bundles (only
// the files the pages load), and their licences. A patch replaces one string that must occur
// exactly once: ReDoc's side menu shows Redocly's logo from cdn.redoc.ly, which the CSP
// refuses (and which would tell a third party of every visit); with an empty src the browser
// fetches nothing and ReDoc drops the image. ReDoc's search runs in a worker made from a blob:
// URL, which the CSP also refuses, so redoc.html turns search off.
const COPIED = {
  "favicon.svg": { path: join(here, "src", "ui", "favicon.svg"), dir: "" },
  "icon.svg": { path: join(here, "public", "icons", "icon.svg"), dir: "" },
  "icon-192.png": { path: join(here, "public", "icons", "icon-192.png"), dir: "", binary: true },
  "icon-512.png": { path: join(here, "public", "icons", "icon-512.png"), dir: "", binary: true },
  "apple-touch-icon.png": { path: join(here, "public", "icons", "apple-touch-icon.png"), dir: "", binary: true },
  "swagger-ui-bundle.js": { path: join(modules, "swagger-ui-dist", "swagger-ui-bundle.js") },
  "swagger-ui.css": { path: join(modules, "swagger-ui-dist", "swagger-ui.css") },
  "redoc.standalone.js": { path: join(modules, "redoc", "bundles", "redoc.standalone.js"),
                           patch: ['"https://cdn.redoc.ly/redoc/logo-mini.svg"', '""'] },
};
const LICENSES = {
  "swagger-ui.txt": ["swagger-ui-dist/LICENSE", "swagger-ui-dist/NOTICE",
                     "swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt"],
  "redoc.txt": ["redoc/LICENSE", "redoc/bundles/redoc.standalone.js.LICENSE.txt"],
};
const PAGES = ["manifest.webmanifest", "index.html", "docs.html", "redoc.html"];
// What the service worker keeps: the page, its script and style, the manifest and icons.
const SHELL = ["app.js", "app.css", "favicon.svg", "icon.svg", "icon-192.png", "icon-512.png", "apple-touch-icon.png"];
const COMPRESSIBLE = new Set([".js", ".css", ".html", ".svg", ".json", ".txt", ".webmanifest"]);
const MIN_COMPRESS = 1024;

const options = {
  entryPoints: Object.values(ENTRIES),
  outdir: assets,
  entryNames: "[name]-[hash]",
  bundle: true,
  format: "esm",
  // Shared code in chunks, and each page loaded with import() in its own: the resident's
  // phone fetches only what the resident's pages use (the business console, the operator's
  // dashboard and the explorer come when opened).
  splitting: true,
  chunkNames: "chunk-[hash]",
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  // WebCrypto Ed25519/X25519 need Chromium >= 137 (or current Firefox/Safari) anyway.
  target: ["chrome137", "firefox130", "safari17"],
  legalComments: "linked",
  metafile: true,
  logLevel: "info",
};

function hashed(name, bytes) {
  const digest = createHash("sha256").update(bytes).digest("hex").slice(0, 12);
  const ext = extname(name);
  return `${basename(name, ext)}-${digest}${ext}`;
}

// A copied file without its trailing sourceMappingURL comment (no map is shipped), patched.
function prepare(name, text, patch) {
  const out = text.replace(/\n?(\/\/# sourceMappingURL=\S+|\/\*# sourceMappingURL=\S+ ?\*\/)\s*$/, "\n");
  if (!patch) return out;
  const [from, to] = patch;
  if (out.split(from).length !== 2) throw new Error(`${name}: ${from} is not there exactly once`);
  return out.replace(from, to);
}

async function copyFiles() {
  await mkdir(join(assets, "vendor"), { recursive: true });
  const urls = {};
  for (const [name, { path, dir = "vendor", patch, binary }] of Object.entries(COPIED)) {
    const bytes = binary ? await readFile(path) : Buffer.from(prepare(name, await readFile(path, "utf8"), patch));
    const file = join(assets, dir, hashed(name, bytes));
    await writeFile(file, bytes);
    urls[name] = `/${relative(dist, file)}`;
  }
  await mkdir(join(dist, "licenses"), { recursive: true });
  for (const [name, parts] of Object.entries(LICENSES)) {
    const texts = await Promise.all(parts.map((p) => readFile(join(modules, p), "utf8")));
    await writeFile(join(dist, "licenses", name), texts.join("\n\n"));
  }
  return urls;
}

function entryUrls(metafile) {
  const byEntry = Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [relative(here, v), k]));
  const url = (out) => `/${relative(dist, join(process.cwd(), out))}`;
  const urls = {};
  for (const [out, meta] of Object.entries(metafile.outputs)) {
    const name = meta.entryPoint && byEntry[relative(here, join(process.cwd(), meta.entryPoint))];
    if (name && extname(out) === extname(name)) {
      urls[name] = url(out);
      // The chunks an entry imports statically, as <link rel="modulepreload">: fetched with
      // the entry instead of one round trip after it ({{name.preload}} in the templates).
      const preload = [];
      const seen = new Set();
      const walk = (o) => {
        for (const dep of metafile.outputs[o]?.imports || []) {
          if (dep.kind !== "import-statement" || dep.external || seen.has(dep.path)) continue;
          seen.add(dep.path);
          preload.push(url(dep.path));
          walk(dep.path);
        }
      };
      walk(out);
      urls[`${name}.preload`] = preload.map((u) => `<link rel="modulepreload" href="${u}">`).join("\n  ");
    }
  }
  // Every script of the build (entries and chunks, the lazily loaded pages' too), which the
  // service worker keeps so any page opens offline.
  urls.scripts = Object.keys(metafile.outputs).filter((o) => extname(o) === ".js").map(url);
  return urls;
}

async function writePages(urls) {
  const written = [];
  for (const page of PAGES) {
    const template = await readFile(join(here, "public", page), "utf8");
    const html = template.replace(/\{\{([\w.-]+)\}\}/g, (match, name) => {
      if (!(name in urls)) throw new Error(`${page}: no asset named ${match}`);
      return urls[name];
    });
    await writeFile(join(dist, page), html);
    written.push(join(dist, page));
  }
  return written;
}

// The service worker, written before the pages (the node reloads the build when index.html
// changes). Its version hashes the shell's URLs (each named by its content) and the templates
// of everything else it caches, so any change to the shell makes a new worker.
async function writeServiceWorker(urls) {
  const shell = ["/", "/manifest.webmanifest", ...SHELL.map((name) => {
    if (!(name in urls)) throw new Error(`sw.js: no asset named ${name}`);
    return urls[name];
  })];
  for (const script of urls.scripts || []) if (!shell.includes(script) && !script.includes("/swagger-")) shell.push(script);
  const digest = createHash("sha256").update(JSON.stringify(shell));
  for (const page of ["index.html", "manifest.webmanifest", "sw.js"]) {
    digest.update(await readFile(join(here, "public", page)));
  }
  const version = digest.digest("hex").slice(0, 16);
  const template = await readFile(join(here, "public", "sw.js"), "utf8");
  const out = template.replace("{{version}}", version).replace("{{shell}}", JSON.stringify(shell));
  if (/\{\{\w+\}\}/.test(out)) throw new Error("sw.js: a {{name}} was left unfilled");
  const path = join(dist, "sw.js");
  await writeFile(path, out);
  return path;
}

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

async function precompress(paths) {
  for await (const path of paths) {
    if (!COMPRESSIBLE.has(extname(path)) || (await stat(path)).size < MIN_COMPRESS) continue;
    const bytes = await readFile(path);
    const gz = gzipSync(bytes, { level: 9 });
    const br = brotliCompressSync(bytes, { params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    } });
    if (gz.length < bytes.length) await writeFile(`${path}.gz`, gz);
    if (br.length < bytes.length) await writeFile(`${path}.br`, br);
  }
}

await rm(dist, { recursive: true, force: true });
await mkdir(assets, { recursive: true });
const copied = await copyFiles();

if (watch) {
  // Rewrite the pages after each rebuild (new hashes); no compression, for speed.
  const ctx = await context({ ...options, plugins: [{ name: "pages", setup(b) {
    b.onEnd(async (result) => {
      if (!result.metafile) return;
      const urls = { ...copied, ...entryUrls(result.metafile) };
      await writeServiceWorker(urls);
      await writePages(urls);
    });
  } }] });
  await ctx.watch();
} else {
  // The pages go last (index.html is what the node watches for a new build).
  const result = await build(options);
  const urls = { ...copied, ...entryUrls(result.metafile) };
  await precompress(files(dist));
  await precompress([await writeServiceWorker(urls)]);
  await precompress(await writePages(urls));
}
