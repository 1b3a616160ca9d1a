// Browser tests of the UI flows of issue 17, each a regression test: the
// typed inputs form with two bad fields (checked in the browser, then by the
// server; the page and what was typed stay); a running task's log lines on
// the run page within 1 s of being printed, without a reload, and its Gantt
// bar growing; a 200-task graph fitted, zoomed and folded, with the failed
// task in view and named types; the task route surviving reload and
// back/forward; the run grid; re-run from failure not calling the succeeded
// task again (a file counts its calls); a cached task drawn as such, with
// its legend and the run its output came from. Screenshots of each page at 1400 and
// 800 px are saved as test artefacts.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startServer, stopServer, launchBrowser, check, failedCount, assert, screenshots } = require("./browser_support.cjs");

const TIMEOUT = 30000;

const FORM = `name: form_demo
inputs:
  count: {type: int}
  ratio: {type: float, default: 0.5, description: "share of rows to keep"}
  full: {type: bool, default: false}
  ids: {type: "list[int]", default: []}
tasks:
  echo:
    executor: process
    command: cat
`;

const CHATTY = `name: chatty
tasks:
  talk:
    executor: process
    command: 'for i in 1 2 3 4 5 6 7 8; do echo "tick $i $(date +%s%3N)"; sleep 0.5; done'
`;

// start -> extract_1..extract_197 -> merge -> report: 200 tasks, extract_77 fails.
function bigWorkflow() {
  const lines = [
    "name: big", "types:", "  LoadResult: {top_posts: \"list[{post_id: int, title: str, author: str}]\", count: int}", "tasks:",
    "  start:", "    executor: process",
    "    command: echo 'ORK_OUTPUT:{\"top_posts\":[{\"post_id\":1,\"title\":\"t\",\"author\":\"a\"}],\"count\":1}'",
    "    output_type: LoadResult",
  ];
  for (let i = 1; i <= 197; i++) {
    lines.push(`  extract_${i}:`, "    executor: process", `    command: ${i === 77 ? "'cat >/dev/null; echo extract 77 broke >&2; exit 1'" : "cat >/dev/null"}`,
      "    inputs: {loaded: {from: start}}", "    input_type: {loaded: LoadResult}");
  }
  lines.push("  merge:", "    executor: process", "    command: cat >/dev/null", `    depends_on: [${Array.from({ length: 197 }, (_, i) => `extract_${i + 1}`).join(", ")}]`);
  lines.push("  report:", "    executor: process", "    command: cat >/dev/null", "    depends_on: [merge]");
  return lines.join("\n") + "\n";
}

// extract counts its calls in calls_extract; load fails until `fixed` exists.
function flakyWorkflow(dir) {
  return `name: flaky
tasks:
  extract:
    executor: process
    command: "cat >/dev/null; echo call >> ${dir}/calls_extract; echo 'ORK_OUTPUT:{\\"n\\": 41}'"
    output_type: {n: int}
  load:
    executor: process
    command: "cat >/dev/null; test -f ${dir}/fixed || { echo not fixed >&2; exit 3; }"
    inputs: {n: {from: extract.n}}
    input_type: {n: int}
`;
}

// prep counts its calls in calls_prep and has cache:, so a second run reuses its output.
function cachedWorkflow(dir) {
  fs.writeFileSync(path.join(dir, "workflows", "prep.sh"), `echo call >> ${dir}/calls_prep\necho 'ORK_OUTPUT:{"rows": 5}'\n`);
  return `name: cached
tasks:
  prep:
    executor: process
    command: [sh, prep.sh]
    output_type: {rows: int}
    cache: true
  use:
    executor: process
    command: cat >/dev/null
    inputs: {rows: {from: prep.rows}}
    input_type: {rows: int}
`;
}

function callsOf(dir, task = "extract") {
  const file = path.join(dir, `calls_${task}`);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l).length : 0;
}

// Every drawn node lies inside the graph's box.
async function allNodesInView(page) {
  return page.evaluate(() => {
    const box = document.getElementById("dag").getBoundingClientRect();
    return [...document.querySelectorAll("#dag g.node")].every((n) => {
      const r = n.getBoundingClientRect();
      return r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
    });
  });
}

async function inView(page, selector) {
  return page.evaluate((sel) => {
    const box = document.getElementById("dag").getBoundingClientRect();
    const node = document.querySelector(sel);
    if (!node) return false;
    const r = node.getBoundingClientRect();
    return r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom;
  }, selector);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ork-browser-flows-"));
  fs.mkdirSync(path.join(dir, "workflows"));
  fs.writeFileSync(path.join(dir, "workflows", "form.yaml"), FORM);
  fs.writeFileSync(path.join(dir, "workflows", "chatty.yaml"), CHATTY);
  fs.writeFileSync(path.join(dir, "workflows", "big.yaml"), bigWorkflow());
  fs.writeFileSync(path.join(dir, "workflows", "flaky.yaml"), flakyWorkflow(dir));
  fs.writeFileSync(path.join(dir, "workflows", "cached.yaml"), cachedWorkflow(dir));
  const server = await startServer(dir);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("dialog", (dialog) => dialog.accept());
  page.setDefaultTimeout(TIMEOUT);

  try {
    await check("the inputs form is typed and reports two bad fields without losing the page", async () => {
      await page.goto(server.url + "/#/workflows/form_demo");
      await page.locator("#dag g.node").first().waitFor();
      assert(await page.locator("#input-full").getAttribute("type") === "checkbox", "a bool input is a checkbox");
      assert((await page.locator("#inputs-form").textContent()).includes("share of rows to keep"), "descriptions are shown");
      await page.fill("#input-count", "abc");
      await page.fill("#input-ratio", "x1");
      await page.click("#trigger");
      await page.locator("#input-count-error", { hasText: "not a whole number" }).waitFor();
      await page.locator("#input-ratio-error", { hasText: "not a number" }).waitFor();
      assert(page.url().includes("#/workflows/form_demo"), "still on the workflow page");
      assert(await page.locator("#dag g.node").count() === 1, "the graph is still there");
      assert(await page.inputValue("#input-count") === "abc", "what was typed is kept");
      await screenshots(page, "workflow-form-errors");

      // The server checks too, and reports every bad field at once.
      const answer = await page.evaluate(async () => {
        const response = await fetch("/api/workflows/form_demo/runs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ inputs: { count: "abc", ids: ["a"] } }) });
        return { status: response.status, body: await response.json() };
      });
      assert(answer.status === 400, `400 for bad inputs: ${JSON.stringify(answer)}`);
      assert(answer.body.error.fields.count && answer.body.error.fields.ids, `both fields named: ${JSON.stringify(answer.body)}`);

      // A value only the server can refuse lands next to its field.
      await page.fill("#input-count", "3");
      await page.fill("#input-ratio", "0.25");
      await page.fill("#input-ids", '["a"]');
      await page.click("#trigger");
      await page.locator("#input-ids-error", { hasText: "list[int]" }).waitFor();
      assert(await page.locator("#input-count-error").textContent() === "", "the fixed field is clear");
      assert(await page.inputValue("#input-ids") === '["a"]', "kept after the server refused it");

      await page.fill("#input-ids", "[1, 2]");
      await page.check("#input-full");
      await page.click("#trigger");
      await page.waitForURL(/#\/runs\//);
      await page.locator(".run-inputs", { hasText: "full=true" }).waitFor();
      await page.locator("#run-header", { hasText: "trigger ui" }).waitFor();
      await page.locator('#run-status [data-status="succeeded"]').waitFor();
    });

    await check("a running task's log lines appear within 1 s of being printed, and its bar grows", async () => {
      const started = await page.evaluate(async () => (await (await fetch("/api/workflows/chatty/runs", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).json()).run_id);
      await page.goto(`${server.url}/#/runs/${started}/tasks/talk`);
      await page.locator("#logs").waitFor();
      await page.evaluate(() => {
        window.__arrivals = {};
        new MutationObserver(() => {
          for (const line of document.querySelectorAll("#logs .log-line")) {
            const match = line.textContent.match(/tick (\d) (\d+)/);
            if (match && !(match[1] in window.__arrivals)) window.__arrivals[match[1]] = { printed: Number(match[2]), seen: Date.now() };
          }
        }).observe(document.getElementById("logs"), { childList: true, subtree: true });
      });
      // The running bar is redrawn with the clock: its length on the axis
      // is its elapsed time, which grows between two looks.
      const bar = async () => page.evaluate(() => {
        const b = document.querySelector("#gantt .bar.running");
        if (!b) return null;
        return { took: Number(b.dataset.took), share: b.getBoundingClientRect().width / b.parentElement.getBoundingClientRect().width, span: Number(document.getElementById("gantt").dataset.span) };
      });
      await page.locator("#gantt .bar.running").waitFor();
      const before = await bar();
      await page.waitForTimeout(1200);
      const later = await bar();
      // (Redrawn every 500 ms: over 1.2 s it grows by 0.7 s at the least.)
      assert(later && later.took >= before.took + 600, `the running bar's time grew: ${JSON.stringify([before, later])}`);
      for (const b of [before, later]) assert(Math.abs(b.share * b.span - b.took) < 0.05 * b.span + 50, `drawn to scale: ${JSON.stringify(b)}`);
      await page.locator("#logs .log-line", { hasText: "tick 8" }).waitFor();
      const arrivals = await page.evaluate(() => window.__arrivals);
      const late = Object.entries(arrivals).filter(([i, a]) => Number(i) >= 2 && a.seen - a.printed > 1000);
      assert(Object.keys(arrivals).length >= 6, `lines arrived one by one: ${JSON.stringify(arrivals)}`);
      assert(late.length === 0, `lines shown more than 1 s after being printed: ${JSON.stringify(late)}`);
      assert(await page.locator("#log-follow").isChecked(), "follow mode on");
      const style = await page.locator("#logs .log-line .text").first().evaluate((e) => getComputedStyle(e.parentElement).whiteSpace + " " + getComputedStyle(e).fontFamily);
      assert(style.startsWith("pre-wrap") && style.includes("monospace"), `logs keep whitespace in monospace: ${style}`);
      assert(await page.locator("#logs .log-line .at").first().textContent() !== "", "a timestamp column");
    });

    let bigRun = null;
    await check("a 200-task graph fits, zooms and folds, with the failed task in view and named types", async () => {
      await page.goto(server.url + "/#/workflows/big");
      await page.locator("#dag g.node.fold").waitFor();
      const foldText = await page.locator("#dag g.node.fold").textContent();
      assert(foldText.includes("extract ×197"), `identical siblings fold: ${foldText}`);
      const wfText = await page.locator("#dag svg.dag-svg").textContent();
      assert(wfText.includes("→ LoadResult") && wfText.includes("loaded: LoadResult"), `named types on the workflow page: ${wfText}`);
      const tooltip = await page.locator('#dag g.node[data-task="start"] title').textContent();
      assert(tooltip.includes("top_posts: list[{post_id: int, title: str, author: str}]"), `full structure on hover: ${tooltip}`);
      assert(await allNodesInView(page), "the workflow graph fits on load");
      const overflowing = await page.evaluate(() => [...document.querySelectorAll("#dag g.node")].flatMap((node) => {
        const width = Number(node.querySelector("rect").getAttribute("width"));
        return [...node.querySelectorAll("text")].filter((t) => t.getBBox().x + t.getBBox().width > width).map((t) => t.textContent);
      }));
      assert(overflowing.length === 0, `text fits its node box: ${overflowing.join(", ")}`);
      await screenshots(page, "workflow-dag");

      bigRun = await page.evaluate(async () => (await (await fetch("/api/workflows/big/runs", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).json()).run_id);
      await page.goto(`${server.url}/#/runs/${bigRun}`);
      await page.locator('#run-status [data-status="failed"]').waitFor({ timeout: 120000 });
      await page.locator('#dag g.node.failed[data-task="extract_77"]').waitFor();
      assert(await allNodesInView(page), "the run graph fits on load");
      assert(await inView(page, '#dag g.node[data-task="extract_77"]'), "the failed task is in view");
      assert((await page.locator("#dag g.node.fold").textContent()).includes("extract ×196"), "the rest stay folded");
      assert((await page.locator("#dag svg.dag-svg").textContent()).includes("→ LoadResult"), "named types on the run page");
      assert((await page.locator("#failed-tasks").textContent()).includes("extract_77"), "the header names the failed task");
      await screenshots(page, "run-large");

      const scale = async () => Number(await page.locator("#dag svg.dag-svg").getAttribute("data-scale"));
      const fitted = await scale();
      await page.click("#zoom-in");
      assert(await scale() > fitted, "the + button zooms in");
      await page.locator("#dag svg.dag-svg").hover();
      await page.mouse.wheel(0, 400);
      assert(await scale() < fitted * 1.25, "the wheel zooms out");
      await page.click("#zoom-fit");
      assert(Math.abs(await scale() - fitted) < 1e-3, "Fit returns to the fitted view");
      assert(await page.locator("#minimap").isHidden(), "no minimap while the whole graph is in view");
      await page.click("#zoom-in");
      await page.click("#zoom-in");
      await page.locator("#minimap").waitFor();
      assert(await page.locator("#minimap rect:not(.frame)").count() === await page.locator("#dag g.node").count(), "the minimap shows every node");
      await screenshots(page, "run-large-zoomed");
      const before = await page.locator("#dag g.viewport").getAttribute("transform");
      await page.locator("#minimap").click({ position: { x: 5, y: 5 } });
      assert(await page.locator("#dag g.viewport").getAttribute("transform") !== before, "a click on the minimap moves the view");
      await page.click("#zoom-fit");
      await page.click("#dag g.node.fold");
      await page.locator('#dag g.node[data-task="extract_150"]').waitFor();
      assert(await page.locator("#dag g.node").count() === 200, "the fold expands to every task");
      await page.click("#jump-failed");
      await page.waitForURL(/tasks\/extract_77$/);
      assert(await inView(page, '#dag g.node[data-task="extract_77"]'), "jumping to the failed task shows it");

      // The timeline zooms: wider tracks that scroll sideways, more ticks; fit undoes it.
      const timeline = () => page.evaluate(() => {
        const g = document.getElementById("gantt");
        return { zoom: Number(g.dataset.zoom), ticks: g.querySelectorAll("#gantt-axis .tick").length, overflows: g.scrollWidth > g.clientWidth + 1 };
      });
      const atFit = await timeline();
      assert(atFit.zoom === 1 && !atFit.overflows, `the timeline fits at first: ${JSON.stringify(atFit)}`);
      await page.click("#gantt-zoom-in");
      await page.click("#gantt-zoom-in");
      const zoomed = await timeline();
      assert(zoomed.zoom === 4 && zoomed.overflows && zoomed.ticks > atFit.ticks, `zoomed in: ${JSON.stringify(zoomed)} after ${JSON.stringify(atFit)}`);
      await page.click("#gantt-zoom-fit");
      assert(!(await timeline()).overflows, "fit brings the whole run back into the box");
    });

    await check("the task route survives reload and back/forward; the drawer shows the task", async () => {
      await page.goto(`${server.url}/#/runs/${bigRun}/tasks/extract_77`);
      await page.reload();
      await page.locator("#task-detail h3", { hasText: "extract_77" }).waitFor();
      await page.locator("#task-error", { hasText: "exit" }).waitFor();
      assert(await page.locator("#task-output").count() === 0, "a failed task shows no output");
      assert((await page.locator("#task-attempts").textContent()).includes("failed"), "attempts with their status");
      assert((await page.locator("#task-inputs").textContent()).includes("LoadResult"), "inputs with their types");
      await page.locator("#logs .log-line", { hasText: "extract 77 broke" }).waitFor();
      await screenshots(page, "task-drawer");
      await page.click("#drawer-close");
      await page.waitForFunction(() => document.getElementById("task-detail").hidden);
      await page.goBack();
      await page.locator("#task-detail h3", { hasText: "extract_77" }).waitFor();
      assert(!(await page.locator("#task-detail").isHidden()), "back reopens the drawer");
      await page.goForward();
      await page.waitForFunction(() => document.getElementById("task-detail").hidden);
    });

    await check("re-run from failure does not call the succeeded task again; the grid shows both runs", async () => {
      const first = await page.evaluate(async () => (await (await fetch("/api/workflows/flaky/runs", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).json()).run_id);
      await page.goto(`${server.url}/#/runs/${first}`);
      // The previous page (a failed run) stays until this run's page is drawn.
      await page.locator("h1", { hasText: first }).waitFor();
      await page.locator('#run-status [data-status="failed"]').waitFor();
      assert(callsOf(dir) === 1, "extract ran once");
      fs.writeFileSync(path.join(dir, "fixed"), "");
      await page.click("#rerun-from-failure");
      await page.waitForURL((url) => /#\/runs\//.test(url.hash) && !url.hash.includes(first));
      await page.locator('#run-status [data-status="succeeded"]').waitFor();
      const second = page.url().split("#/runs/")[1];
      assert(callsOf(dir) === 1, `extract was not called again (${callsOf(dir)} calls)`);
      await page.locator("#run-header", { hasText: first }).waitFor();
      await page.click('#dag g.node[data-task="extract"]');
      await page.locator("#task-detail .reused", { hasText: first }).waitFor();
      await page.click('#dag g.node[data-task="load"]');
      await page.locator("#task-inputs", { hasText: "41" }).waitFor();

      await page.goto(server.url + "/#/workflows/flaky");
      const failedCell = page.locator(`#run-grid a.cell[data-run="${first}"][data-status="failed"]`);
      await failedCell.waitFor();
      assert(await page.locator(`#run-grid a.cell[data-run="${second}"][data-status="succeeded"]`).count() === 2, "the re-run's column");
      await screenshots(page, "workflow-grid");
      await failedCell.click();
      await page.waitForURL(new RegExp(`#/runs/${first}/tasks/load$`));
      await page.locator("#task-detail h3", { hasText: "load" }).waitFor();
    });

    await check("a cached task is drawn as cached, in the legend, and links to the run its output came from", async () => {
      const start = async () => page.evaluate(async () => (await (await fetch("/api/workflows/cached/runs", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).json()).run_id);
      const first = await start();
      await page.goto(`${server.url}/#/runs/${first}`);
      await page.locator("h1", { hasText: first }).waitFor();
      await page.locator('#run-status [data-status="succeeded"]').waitFor();
      const second = await start();
      await page.goto(`${server.url}/#/runs/${second}`);
      await page.locator("h1", { hasText: second }).waitFor();
      await page.locator('#run-status [data-status="succeeded"]').waitFor();
      assert(callsOf(dir, "prep") === 1, `prep ran once (${callsOf(dir, "prep")} calls)`);
      await page.locator('#dag g.node.cached[data-task="prep"]').waitFor();
      await page.locator("#state-legend .swatch.cached").waitFor();
      const fill = await page.evaluate(() => getComputedStyle(document.querySelector('#dag g.node.cached rect')).stroke);
      const ok = await page.evaluate(() => getComputedStyle(document.querySelector('#dag g.node.succeeded rect')).stroke);
      assert(fill !== ok, `cached is drawn apart from succeeded (${fill} vs ${ok})`);
      await page.click('#dag g.node[data-task="prep"]');
      await page.locator("#task-cached-from", { hasText: first }).waitFor();
      await page.locator("#task-output", { hasText: '"rows": 5' }).waitFor();
      await screenshots(page, "run-cached");
    });

    await check("the lists show headers, durations and links", async () => {
      await page.goto(server.url + "/#/runs");
      await page.locator("thead th", { hasText: "Duration" }).waitFor();
      await screenshots(page, "runs");
      await page.goto(server.url + "/");
      await page.locator('tr[data-workflow="big"]').waitFor();
      await screenshots(page, "workflows");
    });

    await check("the pages raised no script errors", async () => {
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
