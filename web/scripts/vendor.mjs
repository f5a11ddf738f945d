// The charting library (uPlot, MIT), copied from node_modules into web/app/vendor/ so the gateway
// serves it like the UI's own files (no CDN, no build step):
//   npm ci && npm run vendor [output folder, default app/vendor/uplot]
// Its version is package.json's; tests/unit/web/test_vendor.py fails while the copy in
// web/app/vendor differs from what npm installed.
import { copyFile, mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const FROM = new URL("../node_modules/uplot/", import.meta.url);
const TO = process.argv[2]
  ? pathToFileURL(`${resolve(process.argv[2])}/`)
  : new URL("../app/vendor/uplot/", import.meta.url);
const FILES = {
  "dist/uPlot.esm.js": "uPlot.esm.js",
  "dist/uPlot.d.ts": "uPlot.esm.d.ts",  // beside the module, so `npm run check` knows its types
  "dist/uPlot.min.css": "uPlot.min.css",
  LICENSE: "LICENSE",
};

await mkdir(TO, { recursive: true });
for (const [from, to] of Object.entries(FILES)) {
  await copyFile(new URL(from, FROM), new URL(to, TO));
}
