// Opens a node's dashboard in Debian's chromium (driven by playwright-core) and checks what
// it shows: the member up, the kinds with their versions and a call rate, live grains and
// the prefix search, and the faults. Saves a screenshot. Usage:
//   node dashboard.mjs http://127.0.0.1:PORT/ SCREENSHOT.png
// Exits non-zero, saying what was missing, if anything is.
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless=new"],
});
const failures = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  const text = (testid) => page.locator(`[data-testid="${testid}"] tbody`).innerText();
  const until = async (what, check, timeout = 20000) => {
    try {
      await page.waitForFunction(check, undefined, { timeout, polling: 200 });
      console.log(`ok: ${what}`);
    } catch {
      failures.push(what);
    }
  };
  await until("the member is up", () => document.querySelector('[data-testid="members"] tbody')?.innerText.includes("up"));
  await until("every kind is listed with its version", () => {
    const kinds = document.querySelector('[data-testid="kinds"] tbody')?.innerText ?? "";
    return ["counter", "chaos", "account"].every((kind) => kinds.includes(kind)) && /[0-9a-f]{12}/.test(kinds);
  });
  await until("the counter shows calls per second", () => {
    const row = [...document.querySelectorAll('[data-testid="kinds"] tbody tr')].find((r) => r.cells[0]?.innerText === "counter");
    return row && Number(row.cells[4].innerText) > 0 && row.cells[5].innerText.endsWith("ms");
  });
  await until("the members table counts live grains per kind", () =>
    /counter: \d+/.test(document.querySelector('[data-testid="members"] tbody')?.innerText ?? ""));
  await until("the fault is shown", () => (document.querySelector('[data-testid="faults"] tbody')?.innerText ?? "").includes("chaos/boom"));
  await page.fill('[data-testid="prefix"]', "dash-7");
  await until("the prefix search finds only matching grains", () => {
    const rows = [...document.querySelectorAll('[data-testid="grains"] tbody tr')].map((r) => r.cells[0]?.innerText);
    return rows.length > 0 && rows.every((grain) => grain.startsWith("counter/dash-7"));
  });
  await page.fill('[data-testid="prefix"]', "");
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
  if (errors.length > 0) failures.push(`no script errors (got: ${errors.join("; ")})`);
  if (failures.length > 0) {
    console.log(`members:\n${await text("members")}\nkinds:\n${await text("kinds")}\nfaults:\n${await text("faults")}`);
  }
} finally {
  await browser.close();
}
if (failures.length > 0) {
  console.error(`the dashboard did not show: ${failures.join("; ")}`);
  process.exit(1);
}
