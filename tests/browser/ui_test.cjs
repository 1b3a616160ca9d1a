// Browser tests of the ork web UI: a real `ork serve` on a random port, Debian's
// headless Chromium driven by playwright-core. Opens the UI, checks a
// workflow's DAG with its types, triggers a run and watches its tasks turn
// green live, opens a task's logs (markup printed by a task stays text), and
// sees a run started by `ork trigger` appear without a reload, and a mapped
// task drawn as one node with its instances' tally, expandable to the list
// of instances in its drawer. Screenshots
// are saved as test artifacts.
"use strict";

const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { ork, artifacts, startServer, stopServer, launchBrowser, check, failedCount, assert } = require("./browser_support.cjs");

const TIMEOUT = 30000;

const WORKFLOW = `name: browser_demo
description: three typed steps for the browser test
tasks:
  numbers:
    executor: process
    command: sleep 0.3; echo 'ORK_OUTPUT:{"values":[1,2,3]}'
    output_type: {values: "list[int]"}
  total:
    executor: process
    command: cat >/dev/null; sleep 0.3; echo 'ORK_OUTPUT:{"total":6}'
    inputs: {values: {from: numbers.values}}
    input_type: {values: "list[int]"}
    output_type: {total: int}
  shout:
    executor: process
    command: cat >/dev/null; echo "<script>window.__xss = 1</script>"; echo '<img src=x onerror="window.__xss = 2">'; echo done
    inputs: {total: {from: total.total}}
    input_type: {total: int}
`;

const MAPPED = `name: browser_map
tasks:
  items: {executor: process, command: "echo 'ORK_OUTPUT:[1,2,3]'", output_type: "list[int]"}
  each:
    executor: process
    command: "cat >/dev/null; echo ORK_OUTPUT:$ORK_MAP_INDEX"
    input_type: {x: int}
    output_type: int
    map: {x: {from: items}}
`;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ork-browser-"));
  fs.mkdirSync(path.join(dir, "workflows"));
  fs.writeFileSync(path.join(dir, "workflows", "demo.yaml"), WORKFLOW);
  fs.writeFileSync(path.join(dir, "workflows", "mapped.yaml"), MAPPED);
  const server = await startServer(dir);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.setDefaultTimeout(TIMEOUT);
  let runId = null;

  try {
    await check("the workflows list shows the workflow", async () => {
      await page.goto(server.url + "/");
      await page.locator('tr[data-workflow="browser_demo"]').waitFor();
      await page.screenshot({ path: path.join(artifacts, "ui-workflows.png"), fullPage: true });
    });

    await check("the workflow page draws the DAG with executors and types", async () => {
      await page.click('a[href="#/workflows/browser_demo"]');
      await page.locator("#dag svg g.node").nth(2).waitFor();
      assert(await page.locator("#dag svg g.node").count() === 3, "three nodes");
      assert(await page.locator("#dag svg path.edge").count() === 2, "two edges");
      const text = await page.locator("#dag svg.dag-svg").textContent();
      for (const expected of ["numbers", "process", "values: list[int]", "→ {total: int}", "total: int"]) {
        assert(text.includes(expected), `DAG shows ${expected}: ${text}`);
      }
      await page.screenshot({ path: path.join(artifacts, "ui-workflow-dag.png"), fullPage: true });
    });

    await check("a run triggered from the UI turns green live", async () => {
      await page.click("#trigger");
      await page.waitForURL(/#\/runs\//);
      runId = page.url().split("#/runs/")[1];
      await page.locator("#dag g.node.succeeded").nth(2).waitFor();
      await page.locator('#run-status [data-status="succeeded"]').waitFor();
      assert(await page.locator("#gantt .bar.succeeded").count() === 3, "three attempts in the timeline");
      await page.screenshot({ path: path.join(artifacts, "ui-run-succeeded.png"), fullPage: true });
    });

    await check("a task's logs show markup as text and never run it", async () => {
      await page.click('#dag g.node[data-task="shout"]');
      await page.locator("#logs div", { hasText: "done" }).waitFor();
      const logs = await page.locator("#logs").textContent();
      assert(logs.includes("<script>window.__xss = 1</script>"), `script tag shown as text: ${logs}`);
      assert(logs.includes('<img src=x onerror="window.__xss = 2">'), "img tag shown as text");
      assert(await page.locator("#logs img, #logs script").count() === 0, "no element made from log text");
      assert(await page.evaluate(() => window.__xss) === undefined, "no log line ran");
      await page.screenshot({ path: path.join(artifacts, "ui-task-logs.png"), fullPage: true });
      await page.click('#dag g.node[data-task="total"]');
      await page.locator("#task-output", { hasText: '"total": 6' }).waitFor();
      const detail = await page.locator("#task-detail").textContent();
      assert(!detail.includes("nullnull"), `no stray text in the task panel: ${detail}`);
      assert(await page.locator("#task-detail #task-error").count() === 0, "no error block for a task that succeeded");
    });

    await check("a run started with `ork trigger` appears live", async () => {
      await page.goto(server.url + "/#/runs");
      await page.locator(`a[href="#/runs/${runId}"]`).waitFor();
      const before = await page.locator("tbody tr").count();
      const out = execFileSync(ork, ["trigger", "browser_demo", "--server", server.url], { cwd: dir, encoding: "utf8" });
      const newId = out.match(/run (\w+) of browser_demo started/)[1];
      await page.locator(`a[href="#/runs/${newId}"]`).waitFor();
      assert(await page.locator("tbody tr").count() === before + 1, "one more row, without a reload");
      await page.screenshot({ path: path.join(artifacts, "ui-runs-live.png"), fullPage: true });
    });

    await check("a mapped task is one node with its instances' tally, expandable to the instances", async () => {
      const out = execFileSync(ork, ["trigger", "browser_map", "--server", server.url], { cwd: dir, encoding: "utf8" });
      const mapRun = out.match(/run (\w+) of browser_map started/)[1];
      await page.goto(`${server.url}/#/runs/${mapRun}`);
      const node = page.locator('#dag g.node[data-task="each"]');
      await node.locator("text.map-tally", { hasText: "3 instances · 3 succeeded" }).waitFor();
      assert(await page.locator("#dag svg g.node").count() === 2, "one node for the mapped task, none per instance");
      await node.click();
      await page.locator("#map-tally", { hasText: "3 instances · 3 succeeded" }).waitFor();
      await page.click("#map-tally");
      await page.locator('#map-instances tr[data-instance="each[2]"]').waitFor();
      assert(await page.locator("#map-instances tr").count() === 3, "three instances listed");
      await page.click('#map-instances a[href$="each%5B2%5D"]');
      await page.locator("#task-detail", { hasText: "instance 2 of each" }).waitFor();
      await page.locator("#task-output", { hasText: "2" }).waitFor();
      await page.screenshot({ path: path.join(artifacts, "ui-map-instances.png"), fullPage: true });
    });

    await check("the page raised no script errors", async () => {
      assert(pageErrors.length === 0, pageErrors.join("\n"));
    });
  } finally {
    await browser.close();
    await stopServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const failed = failedCount();
  console.log(`${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
