// A browser page on another origin calls csm-server: serves cors.html on PAGE_ORIGIN (e.g.
// http://127.0.0.2:PORT), loads it in headless Chromium (the page POSTs to API_BASE's
// /v1/audio/speech and writes what happened into its DOM), and prints one JSON object: the
// page's result and the console's lines that mention CORS.
//   node cors.mjs PAGE_ORIGIN API_BASE [CHROMIUM]
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

const [pageOrigin, api, chromium = "chromium"] = process.argv.slice(2);
const { hostname: pageHost, port: pagePort } = new URL(pageOrigin);
const page = fs.readFileSync(new URL("cors.html", import.meta.url));
const server = http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
  res.end(page);
});
await new Promise((resolve, reject) => {
  server.once("error", (error) => reject(new Error(`cannot serve the page on ${pageOrigin}: ${error.message}`)));
  server.listen(Number(pagePort), pageHost, resolve);
});

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "csm-chromium-"));
const args = [
  "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
  `--user-data-dir=${profile}`, "--enable-logging=stderr", "--v=0",
  "--virtual-time-budget=10000",  // waits for the fetch before dumping the DOM
  "--dump-dom", `${pageOrigin}/cors.html?api=${encodeURIComponent(api)}`,
];
const { stdout, stderr } = await new Promise((resolve, reject) =>
  execFile(chromium, args, { timeout: 60000, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
    error ? reject(Object.assign(error, { stderr })) : resolve({ stdout, stderr })),
).finally(() => {
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
});
const match = stdout.match(/<pre id="result">([^<]*)<\/pre>/);
const result = match ? match[1].replaceAll("&quot;", '"').replaceAll("&amp;", "&") : null;
console.log(JSON.stringify({
  result: result && result !== "pending" ? JSON.parse(result) : result,
  console: stderr.split("\n").filter((line) => line.includes("CONSOLE") && line.includes("CORS")),
}));
