import { existsSync } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtmlReport } from "../../report/html.js";
import { hostileComparison, trendFixture } from "./html-fixture.js";

const CHROMIUM = "/usr/bin/chromium";
const required = process.env.REPOGYM_REQUIRE_BROWSER === "1";
const available = existsSync(CHROMIUM);
if (!available && !required) {
  console.warn(
    `html-browser: skipped because ${CHROMIUM} is not installed (set REPOGYM_REQUIRE_BROWSER=1 to fail instead)`,
  );
}

/** The one browser API used in page code; the project's TypeScript has no DOM library. */
interface BrowserWindow {
  getComputedStyle(element: unknown): { fill: string };
}

const CHARTS = ["chart-reward-over-commits", "chart-reward-distribution", "chart-difficulty-mix"];

interface Opened {
  requests: string[];
  consoleErrors: string[];
  pageErrors: string[];
  page: import("playwright-core").Page;
  url: string;
}

/**
 * The report opened from a file in real headless Chromium, with every request, console error
 * and page error recorded. Runs only when Chromium is installed, or CI says it must be.
 */
describe.skipIf(!available && !required)("HTML report in a real browser", () => {
  let browser: import("playwright-core").Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "repogym-html-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(name: string, html: string): Promise<Opened> {
    const file = join(dir, name);
    await writeFile(file, html);
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const opened: Opened = { requests: [], consoleErrors: [], pageErrors: [], page, url };
    page.on("request", (request) => opened.requests.push(request.url()));
    page.on("console", (message) => {
      if (message.type() === "error") opened.consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => opened.pageErrors.push(error.message));
    await page.goto(url, { waitUntil: "load" });
    return opened;
  }

  it("renders the three charts, requests nothing but itself, and logs no errors", async () => {
    const { comparison, history } = trendFixture();
    const opened = await open("report.html", renderHtmlReport({ comparison, history }));
    const { page } = opened;

    for (const id of CHARTS) {
      const box = await page.locator(`svg#${id}`).boundingBox();
      expect(box, id).not.toBeNull();
      expect(box!.width, id).toBeGreaterThan(200);
      expect(box!.height, id).toBeGreaterThan(80);
    }
    expect(await page.locator("#chart-reward-over-commits circle.point").count()).toBe(5);
    expect(await page.locator("#chart-reward-over-commits circle.point.current").count()).toBe(1);
    expect(await page.locator("#chart-reward-distribution rect.bar").count()).toBe(10);
    expect(await page.locator("#chart-difficulty-mix g.bucket").count()).toBe(4);
    // Drawn, not just present: every point and every non-empty bar has a size on screen.
    for (const point of await page.locator("#chart-reward-over-commits circle.point").all()) {
      expect((await point.boundingBox())?.width).toBeGreaterThan(4);
    }
    const bars = await page.locator('#chart-reward-distribution rect.bar:not([data-count="0"])').all();
    expect(bars.length).toBeGreaterThan(1);
    for (const bar of bars) expect((await bar.boundingBox())?.height).toBeGreaterThan(1);
    // Styled by the inline stylesheet (the CSP allows inline styles and nothing else).
    const fill = await page
      .locator("#chart-reward-distribution rect.bar")
      .first()
      .evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).fill);
    expect(fill).toMatch(/^rgb\(/);
    expect(fill).not.toBe("rgb(0, 0, 0)");

    expect(opened.requests).toEqual([opened.url]);
    expect(opened.consoleErrors).toEqual([]);
    expect(opened.pageErrors).toEqual([]);

    const png = join(dir, "report.png");
    await page.screenshot({ path: png, fullPage: true });
    expect((await stat(png)).size).toBeGreaterThan(30_000);
    if (process.env.REPOGYM_KEEP_SCREENSHOT)
      await writeFile(process.env.REPOGYM_KEEP_SCREENSHOT, await page.screenshot({ fullPage: true }));
    await page.close();
  });

  it("runs nothing and loads nothing from hostile results", async () => {
    const opened = await open(
      "hostile.html",
      renderHtmlReport({
        title: "<img src=x onerror=alert(1)>",
        comparison: hostileComparison(),
        history: [],
      }),
    );
    let dialogs = 0;
    opened.page.on("dialog", async (dialog) => {
      dialogs++;
      await dialog.dismiss();
    });
    expect(await opened.page.title()).toBe("<img src=x onerror=alert(1)>");
    expect(await opened.page.locator("img, script, iframe").count()).toBe(0);
    expect(await opened.page.getByText("<img src=x onerror=alert(1)>").count()).toBeGreaterThan(0);
    expect(dialogs).toBe(0);
    expect(opened.requests).toEqual([opened.url]);
    expect(opened.pageErrors).toEqual([]);
    await opened.page.close();
  });
});
