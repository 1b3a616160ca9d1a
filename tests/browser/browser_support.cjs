// What the browser tests share: a real `ork serve` on a random port, a
// headless Chromium page, named checks that report "ok"/"not ok" and keep
// going, and screenshots saved as test artefacts.
"use strict";

const { spawn } = require("node:child_process");
const path = require("node:path");
const { chromium } = require(path.join(process.env.ORK_BROWSER_DEPS, "node_modules", "playwright-core"));

const ork = process.env.ORK_BINARY;
const artifacts = process.env.ORK_ARTIFACTS;

// Starts `ork serve` in `dir` (workflows in dir/workflows) and resolves with
// {process, url} once it listens.
function startServer(dir) {
  const child = spawn(ork, ["--db", path.join(dir, "ork.db"), "serve", "--bind", "127.0.0.1:0", "--workflows", path.join(dir, "workflows")],
    { cwd: dir, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ORK_API_TOKEN: "" } });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (match) resolve({ process: child, url: match[1] });
    });
    child.on("exit", (code) => reject(new Error(`ork serve exited with ${code}: ${out}`)));
  });
}

async function stopServer(server) {
  server.process.kill("SIGINT");
  await new Promise((resolve) => server.process.on("exit", resolve));
}

function launchBrowser() {
  return chromium.launch({ executablePath: process.env.ORK_CHROMIUM, args: ["--no-sandbox"] });
}

const results = [];
async function check(name, body) {
  try {
    await body();
    results.push([name, true]);
    console.log(`ok - ${name}`);
  } catch (error) {
    results.push([name, false]);
    console.log(`not ok - ${name}\n  ${String(error.stack || error).split("\n").join("\n  ")}`);
  }
}

function failedCount() {
  return results.filter(([, ok]) => !ok).length;
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// The page as it is, at 1400 and at 800 px wide: `ui-NAME-1400.png`, `ui-NAME-800.png`.
async function screenshots(page, name) {
  const size = page.viewportSize();
  for (const width of [1400, 800]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(artifacts, `ui-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(size);
}

module.exports = { ork, artifacts, startServer, stopServer, launchBrowser, check, failedCount, assert, screenshots };
