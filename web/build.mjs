// Bundle the web app for the node to serve: web/src/ui/app.js (which imports the SDK) →
// src/planet/web/dist/assets/app.js (ESM, minified, with a source map), and copy
// web/public/* next to it. No CDN: everything the page runs is in that bundle.
import { build } from "esbuild";
import { cp, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "src", "planet", "web", "dist");
const watch = process.argv.includes("--watch");

await rm(dist, { recursive: true, force: true });
await mkdir(join(dist, "assets"), { recursive: true });
await cp(join(here, "public"), dist, { recursive: true });

const options = {
  entryPoints: [join(here, "src", "ui", "app.js")],
  outfile: join(dist, "assets", "app.js"),
  bundle: true,
  format: "esm",
  minify: !watch,
  sourcemap: true,
  // WebCrypto Ed25519/X25519 need Chromium >= 137 (or current Firefox/Safari) anyway.
  target: ["chrome137", "firefox130", "safari17"],
  legalComments: "linked",
  logLevel: "info",
};

if (watch) {
  const { context } = await import("esbuild");
  const ctx = await context(options);
  await ctx.watch();
} else {
  await build(options);
}
