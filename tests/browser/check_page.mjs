#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Loads holdfast's web page in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core; no browser is ever downloaded), waits (bounded) until what the
// command line expects is on the page, saves a full-page screenshot, and exits 0, or
// 1 with what did not hold and what the page showed instead (2: bad command line or
// no browser).
//
//   node check_page.mjs --url http://127.0.0.1:8053/ --expect-incident 65.49.2.0/24 \
//        --expect-forged --screenshot out.png
//
// --url URL                 the page (required)
// --expect-state STATE      the status badge's state (healthy, network-lying, ...)
// --expect-incident ADDR    an incident row names ADDR (its address, one of its addresses,
//                           a prefix holding it, or its text)
// --expect-forged           badge "network-lying" (unless --expect-state says otherwise),
//                           a forged_caught bar with count > 0 in the plot, and
//                           --expect-evidence
// --expect-evidence         an event row opens to show its evidence, with a reply
// --expect-event-name NAME  an event row shows NAME, as text
// --expect-offline          the "holdfast is not answering" message is shown
// --timeout SECONDS         how long to wait for all of it (default 30)
// --screenshot PATH         full-page PNG, saved whatever the outcome
// --browser PATH            default /usr/bin/chromium (or $CHROMIUM)
//
// Always checked: no dialog (alert, ...) opens, no uncaught script error, no <img>,
// <script> or <iframe> other than the page's own, and no request leaves the page's
// origin (the page must work offline, and names from the network must never become
// HTML).

import { chromium } from "playwright-core";
import fs from "node:fs";

function usage(msg) {
  if (msg) console.error(`check_page: ${msg}`);
  console.error("usage: node check_page.mjs --url URL [--expect-state S] [--expect-incident ADDR] " +
    "[--expect-forged] [--expect-evidence] [--expect-event-name NAME] [--expect-offline] " +
    "[--timeout S] [--screenshot PATH] [--browser PATH]");
  process.exit(2);
}

function parseArgs(argv) {
  const o = { timeout: 30, browser: process.env.CHROMIUM || "/usr/bin/chromium", eventNames: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case "--url": o.url = val(); break;
      case "--expect-state": o.state = val(); break;
      case "--expect-incident": o.incident = val(); break;
      case "--expect-forged": o.forged = true; break;
      case "--expect-evidence": o.evidence = true; break;
      case "--expect-event-name": o.eventNames.push(val()); break;
      case "--expect-offline": o.offline = true; break;
      case "--timeout": o.timeout = Number(val()); break;
      case "--screenshot": o.screenshot = val(); break;
      case "--browser": o.browser = val(); break;
      case "-h": case "--help": usage();
      default: usage(`unknown argument ${a}`);
    }
  }
  if (!o.url) usage("--url is required");
  if (!(o.timeout > 0)) usage("--timeout must be a positive number of seconds");
  if (o.forged) { o.evidence = true; if (!o.state) o.state = "network-lying"; }
  return o;
}

const opt = parseArgs(process.argv.slice(2));
const origin = new URL(opt.url).origin;
if (!fs.existsSync(opt.browser)) {
  console.error(`check_page: no browser at ${opt.browser} (Debian: apt-get install chromium)`);
  process.exit(2);
}

const problems = [];   // things that are wrong whatever we wait for
let browser;
let exitCode = 1;

// Each expectation: a name, and a function run in the page that says whether it holds
// (or, for the evidence, does the clicking).
function expectations() {
  const list = [];
  if (opt.offline) list.push(["the page says holdfast is not answering", async page =>
    page.evaluate(() => {
      const e = document.querySelector('[data-testid="api-error"]');
      return !!e && !e.hidden && /holdfast is not answering/.test(e.textContent);
    })]);
  if (opt.state) list.push([`the status badge says ${opt.state}`, async page =>
    page.evaluate(s => {
      const b = document.querySelector('[data-testid="status-badge"]');
      return !!b && b.getAttribute("data-state") === s;
    }, opt.state)]);
  if (opt.incident) list.push([`an incident row names ${opt.incident}`, async page =>
    page.evaluate(a => {
      // a matches the row's address or one of its addresses, or lies in its prefix
      // (65.49.2.178 in an incident on 65.49.2.0/24), or is in its text.
      const v4 = x => { const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(x);
        return m ? ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0 : null; };
      const inPrefix = (ip, cidr) => {
        const [net, len] = cidr.split("/"); const n = Number(len), x = v4(ip), y = v4(net);
        if (x === null || y === null || !(n >= 0 && n <= 32)) return false;
        const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
        return ((x & mask) >>> 0) === ((y & mask) >>> 0);
      };
      return Array.from(document.querySelectorAll('[data-testid="incident-row"]')).some(r => {
        const addr = r.getAttribute("data-address") || "";
        const all = (r.getAttribute("data-addresses") || "").split(" ");
        return addr === a || all.includes(a) || (addr.includes("/") && inPrefix(a, addr)) ||
          r.textContent.includes(a);
      });
    }, opt.incident)]);
  if (opt.forged) list.push(["the plot has a forged_caught bar with a count above 0", async page =>
    page.evaluate(() => Array.from(document.querySelectorAll(
      '[data-testid="timeline-plot"] [data-category="forged_caught"]')).some(r =>
      Number(r.getAttribute("data-count")) > 0))]);
  for (const name of opt.eventNames) list.push([`an event row shows the name ${JSON.stringify(name)}`, async page =>
    page.evaluate(n => Array.from(document.querySelectorAll('[data-testid="event-row"] [data-testid="event-name"]'))
      .some(c => c.textContent.includes(n)), name)]);
  if (opt.evidence) list.push(["an event row opens to show its evidence with a reply", openEvidence]);
  return list;
}

// Clicks event rows (newest first, at most 5) until one shows evidence with a reply.
async function openEvidence(page) {
  const rows = page.locator('[data-testid="event-row"]');
  const n = Math.min(await rows.count(), 5);
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i);
    const id = await row.getAttribute("data-id");
    if ((await row.getAttribute("aria-expanded")) !== "true") await row.click();
    const ev = page.locator(`[data-testid="event-evidence"][data-id="${id}"]`);
    try {
      await ev.waitFor({ state: "visible", timeout: 2000 });
    } catch {
      continue;
    }
    const ok = await ev.evaluate(e => {
      const r = e.querySelector('[data-testid="evidence-reply"]');
      const q = e.querySelector('[data-testid="evidence-query"]');
      return !!r && !!q && r.textContent.length > 0;
    });
    if (ok) {
      // open the first reply's full text too, for the screenshot
      const d = ev.locator('[data-testid="evidence-reply"] details').first();
      if (await d.count()) await d.evaluate(x => { x.open = true; });
      await ev.scrollIntoViewIfNeeded();
      return true;
    }
  }
  return false;
}

// What the page shows, for the failure message.
async function describe(page) {
  return page.evaluate(() => {
    const q = s => document.querySelector(s);
    const t = s => (q(s) ? q(s).textContent.replace(/\s+/g, " ").trim() : "(none)");
    const bars = {};
    for (const r of document.querySelectorAll('[data-testid="timeline-plot"] [data-category]'))
      bars[r.getAttribute("data-category")] = (bars[r.getAttribute("data-category")] || 0) + Number(r.getAttribute("data-count"));
    const off = q('[data-testid="api-error"]');
    return [
      `  badge: ${q('[data-testid="status-badge"]')?.getAttribute("data-state")} "${t('[data-testid="status-badge"]')}"`,
      `  why: ${t('[data-testid="status-why"]')}`,
      `  not-answering message: ${off && !off.hidden ? t('[data-testid="api-error"]') : "(hidden)"}`,
      `  plot totals: ${JSON.stringify(bars)}`,
      `  incident rows: ${Array.from(document.querySelectorAll('[data-testid="incident-row"]')).map(r =>
        `${r.getAttribute("data-state")} ${r.getAttribute("data-rule")} ${r.getAttribute("data-address")}`).join("; ") || "(none)"}`,
      `  event rows: ${document.querySelectorAll('[data-testid="event-row"]').length}` +
        `, first: ${t('[data-testid="event-row"]')}`,
    ].join("\n");
  });
}

async function main() {
  browser = await chromium.launch({
    executablePath: opt.browser,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-default-apps", "--disable-extensions"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on("dialog", d => { problems.push(`a ${d.type()} dialog opened: ${JSON.stringify(d.message())}`); d.dismiss().catch(() => {}); });
  page.on("pageerror", e => problems.push(`uncaught error in the page: ${e.message}`));
  page.on("console", m => { if (m.type() === "error" && !/Failed to load resource/.test(m.text())) console.error(`check_page: page console: ${m.text()}`); });
  await page.route("**/*", route => {
    const u = route.request().url();
    if (u.startsWith("data:") || new URL(u).origin === origin) return route.continue();
    problems.push(`the page asked for something outside its origin: ${u}`);
    return route.abort();
  });

  // A server that is still starting gets up to 10 s (within --timeout) to accept.
  const loadBy = Date.now() + Math.min(10, opt.timeout) * 1000;
  for (;;) {
    try {
      const resp = await page.goto(opt.url, { waitUntil: "load", timeout: opt.timeout * 1000 });
      if (resp && !resp.ok()) {
        console.error(`check_page: GET ${opt.url}: HTTP ${resp.status()}`);
        return 1;
      }
      break;
    } catch (e) {
      if (Date.now() < loadBy && /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET/.test(e.message)) {
        await new Promise(r => setTimeout(r, 500));
        continue;
      }
      console.error(`check_page: cannot load ${opt.url}: ${e.message.split("\n")[0]}`);
      return 1;
    }
  }

  const list = expectations();
  const met = new Set();
  const deadline = Date.now() + opt.timeout * 1000;
  while (met.size < list.length && Date.now() < deadline && !problems.length) {
    for (const [name, check] of list) {
      if (met.has(name)) continue;
      let ok = false;
      try { ok = await check(page); } catch (e) { ok = false; }
      if (ok) { met.add(name); console.log(`check_page: ok: ${name}`); }
    }
    if (met.size < list.length) await page.waitForTimeout(500);
  }

  // Whatever came from the network must not have become elements.
  const foreign = await page.evaluate(() => {
    const out = [];
    for (const e of document.querySelectorAll("img, iframe, object, embed, script:not(:first-of-type)"))
      out.push(e.outerHTML.slice(0, 120));
    for (const e of document.querySelectorAll("*"))
      for (const a of e.getAttributeNames()) if (/^on/i.test(a)) out.push(`${e.tagName} with ${a}`);
    return out;
  });
  for (const f of foreign) problems.push(`an element the page never makes: ${f}`);

  if (opt.screenshot) {
    await page.screenshot({ path: opt.screenshot, fullPage: true });
    console.log(`check_page: screenshot ${opt.screenshot}`);
  }

  const missing = list.map(([n]) => n).filter(n => !met.has(n));
  if (!missing.length && !problems.length) {
    console.log(`check_page: all ${list.length} expectations hold on ${opt.url}`);
    return 0;
  }
  for (const p of problems) console.error(`check_page: FAIL: ${p}`);
  for (const m of missing)
    console.error(`check_page: FAIL: ${problems.length ? "not seen before the check stopped" : `not within ${opt.timeout} s`}: ${m}`);
  console.error(`check_page: the page showed:\n${await describe(page).catch(e => `  (cannot read the page: ${e.message})`)}`);
  return 1;
}

try {
  exitCode = await main();
} catch (e) {
  console.error(`check_page: ${e.stack || e}`);
  exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
}
process.exit(exitCode);
