/// <reference lib="dom" />
// The playground page in headless Chromium (Debian's, through puppeteer-core): the bundle built from src/,
// served in-process on a free port, driven as a person would (picker, editor, gutter, buttons), one page load
// shared by the cases in order. Screenshots go to tmp/playground/ (the test output) and, with
// VIRTLAB_UPDATE_SCREENSHOTS=1, to docs/images/ for docs/playground.md.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import { buildPlayground, REPO_ROOT } from '../../playground/tools/build.js';
import { findChromium, launchChromium, NO_CHROMIUM } from '../../playground/tools/chromium.js';
import { serveStatic, type RunningServer } from '../../playground/tools/serve.js';

const chromium = findChromium();
if (!chromium) console.warn(`test/playground/browser.test.ts: ${NO_CHROMIUM}`);

const OUTPUT = join(REPO_ROOT, 'tmp', 'playground');
const DOCS_IMAGES = join(REPO_ROOT, 'docs', 'images');
const updateDocs = process.env['VIRTLAB_UPDATE_SCREENSHOTS'] === '1';

/** The 1-based line of the first line matching `re` in a repository file. */
function lineOf(file: string, re: RegExp): number {
  const index = readFileSync(join(REPO_ROOT, file), 'utf8').split('\n').findIndex((l) => re.test(l));
  if (index < 0) throw new Error(`${file} has no line matching ${re}`);
  return index + 1;
}

function hex8(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/** A symbol's address in tinyos, from the real assembler run here. */
function symbol(name: string): number {
  const image = assembleFile(join(REPO_ROOT, 'guests/tinyos/tinyos.s'), { includeDirs: [join(REPO_ROOT, 'guests')] }).image!;
  const found = image.symbols.find((s) => s.name === name);
  if (!found) throw new Error(`tinyos has no symbol ${name}`);
  return found.value;
}

describe.skipIf(!chromium)('the playground in headless Chromium', () => {
  let site: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    site = mkdtempSync(join(tmpdir(), 'virtlab-playground-test-'));
    await buildPlayground({ outDir: site });
    server = await serveStatic(site, 0);
    browser = await launchChromium(chromium!);
    page = await browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    mkdirSync(OUTPUT, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  async function shot(name: string): Promise<void> {
    const png = await page.screenshot({ type: 'png' });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(OUTPUT, `playground-${name}.png`), png);
    if (updateDocs) writeFileSync(join(DOCS_IMAGES, `playground-${name}.png`), png);
  }

  /** Clicks a toolbar button and waits until the page is no longer busy with it. */
  async function press(id: string): Promise<void> {
    await page.click(`#${id}`);
    await page.waitForSelector('body[data-busy="false"]', { timeout: 45_000 });
  }

  async function pickGuest(title: string): Promise<void> {
    const value = await page.$$eval('#guest option', (options, t) => options.find((o) => o.textContent === t)?.value ?? null, title);
    expect(value, `the picker offers ${title}`).not.toBeNull();
    await page.select('#guest', value!);
    await page.waitForSelector('body[data-busy="false"]');
  }

  const text = (selector: string) => page.$eval(selector, (el) => el.textContent ?? '');

  /** Scrolls the editor to a 1-based line and clicks the breakpoint gutter beside it; the dot must appear on that line. */
  async function clickGutter(line: number): Promise<void> {
    // Scroll as a person would, until the line is in view (wrapped lines make any one jump approximate).
    await page.evaluate(async (l) => {
      const scroller = document.querySelector('#editor .cm-scroller') as HTMLElement;
      const box = scroller.getBoundingClientRect();
      for (let i = 0; i < 40; i++) {
        const shown = [...document.querySelectorAll('#editor .cm-lineNumbers .cm-gutterElement')]
          .filter((e) => {
            const r = e.getBoundingClientRect();
            return r.height > 0 && r.top >= box.top && r.bottom <= box.bottom;
          })
          .map((e) => Number(e.textContent));
        const first = Math.min(...shown), last = Math.max(...shown);
        if (l >= first + 2 && l <= last - 2) return;
        scroller.scrollTop += ((l - (first + last) / 2) * box.height) / Math.max(1, last - first);
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      }
    }, line);
    // Where the line number sits once the editor has measured its (wrapped) lines: the same twice running.
    const rowOf = () =>
      page.waitForFunction(
        (l) => {
          const el = [...document.querySelectorAll('#editor .cm-lineNumbers .cm-gutterElement')].find((e) => e.textContent === String(l));
          return el ? JSON.stringify(el.getBoundingClientRect()) : false;
        },
        {},
        line,
      ).then(async (h) => JSON.parse((await h.jsonValue()) as string) as DOMRect);
    let row = await rowOf();
    for (let again = await rowOf(); again.y !== row.y; again = await rowOf()) row = again;
    const gutter = (await (await page.$('#editor .cm-breakpoint-gutter'))!.boundingBox())!;
    await page.mouse.click(gutter.x + gutter.width / 2, row.y + Math.min(row.height, 16) / 2);
    const dotY = await page.waitForFunction(
      (y) => [...document.querySelectorAll('#editor .bp-dot')].map((d) => d.getBoundingClientRect().y).find((dy) => Math.abs(dy - y) < 12) ?? false,
      {},
      row.y,
    );
    expect(await dotY.jsonValue()).not.toBe(false);
  }

  it('picks hello, assembles it, runs it and shows its console output', async () => {
    await pickGuest('hello');
    await press('assemble');
    expect(await text('#status')).toMatch(/^assembled: \d+ symbols/);
    await press('run');
    await page.waitForFunction(() => document.querySelector('#consoles pre')?.textContent?.includes('Hello from virtlab!'), { timeout: 10_000 });
    expect(await text('#status')).toMatch(/halted \(exit 0\)/);
    await shot('hello');
  });

  it('shows an assembler error at its line with the did-you-mean', async () => {
    const line = lineOf('guests/hello.s', /^\s+addi\s+a0, a0, 1/);
    // Edit as a person would: click the line, select it, type the misspelled mnemonic.
    const lines = await page.$$('#editor .cm-content .cm-line');
    await lines[line - 1]!.click();
    await page.keyboard.press('End');
    await page.keyboard.down('Shift');
    await page.keyboard.press('Home');
    await page.keyboard.up('Shift');
    await page.keyboard.type('addix   a0, a0, 1');
    await press('assemble');
    const messages = await text('#messages');
    expect(messages).toMatch(new RegExp(`^guests/hello\\.s:${line}:\\d+: error: unknown mnemonic 'addix' \\(did you mean addi\\?\\)`));
    // The editor underlines it on that line.
    const marked = await page.$$eval('#editor .cm-content .cm-line', (els) => els.findIndex((e) => e.querySelector('.cm-lintRange-error')) + 1);
    expect(marked).toBe(line);
    expect(await text('#status')).toMatch(/1 error/);
    await shot('error');
  });

  it("shows a long run's progress and stops it", async () => {
    // An endless loop in place of hello: the run goes on until Stop.
    await page.click('#editor .cm-content');
    await page.keyboard.down('Control');
    await page.keyboard.press('a');
    await page.keyboard.up('Control');
    await page.keyboard.type('_start: j _start\n');
    await page.click('#run');
    await page.waitForFunction(() => /^running… [\d,]+ instructions/.test(document.getElementById('status')?.textContent ?? ''), { timeout: 30_000 });
    expect(await page.$eval('#stop', (b) => (b as HTMLButtonElement).disabled)).toBe(false);
    await page.click('#stop');
    await page.waitForSelector('body[data-busy="false"]', { timeout: 30_000 });
    expect(await text('#status')).toMatch(/^stopped — native: runnable, [\d,]+ instructions/);
  });

  it('stops tinyos at a breakpoint set in the gutter, steps back and reads a register, then at a watchpoint', async () => {
    await pickGuest('tinyos');
    const file = 'guests/tinyos/tinyos.s';
    const line = lineOf(file, /^schedule:/) + 1;
    const schedule = symbol('schedule');
    await clickGutter(line);
    await press('continue');
    expect(await text('#status')).toMatch(/^stopped/);
    expect(await text('#messages')).toMatch(/breakpoint/);
    expect(await text('[data-testid="reg-pc"] td')).toBe(hex8(schedule));
    // The pc's line is marked in the editor.
    expect(await page.$eval('#editor .cm-pc-line', (e) => e.textContent ?? '')).toMatch(/push\s+ra/);
    await press('back');
    const back = await text('[data-testid="reg-pc"] td');
    expect(back).toMatch(/^0x[0-9a-f]{8}$/);
    expect(back).not.toBe(hex8(schedule));
    await press('step');
    expect(await text('[data-testid="reg-pc"] td')).toBe(hex8(schedule));
    await shot('tinyos-breakpoint');
    // The memory tab follows sp: the row holding sp is there once the page has read it.
    const sp = Number(await text('[data-testid="reg-r2"] td'));
    await page.click('.tabs button[data-tab="memory"]');
    await page.waitForSelector(`[data-testid="mem-row-${hex8(sp & ~15)}"]`, { visible: true, timeout: 10_000 });
    await page.click('.tabs button[data-tab="registers"]');
    // A watchpoint on the first process's private page: the worker's store stops the run.
    await page.click('#clear-points');
    await page.type('#watch-address', '0x00800000');
    await press('watch');
    const number = /^watchpoint (\d+) \(write\) on 0x00800000$/.exec(await text('#status'))?.[1];
    expect(number).toBeDefined();
    await press('continue');
    expect(await text('#messages')).toMatch(new RegExp(`stopped at watchpoint ${number} \\(write 0x00800000\\) by 0x[0-9a-f]{8} <worker\\+\\d+>`));
  });

  /** Types a line into the page's debugger prompt and runs it. */
  async function debuggerLine(line: string): Promise<void> {
    await page.click('#debugger-line', { count: 3 });
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-busy="false"]');
  }

  it('runs tinyos under bt and shows the translation unit at the pc', async () => {
    await press('clear-points');
    await page.select('#mode', 'bt');
    // Into the kernel's console code, which bt translates (a new load: the mode changed).
    await debuggerLine('break console_write');
    await press('continue');
    expect(await text('[data-testid="reg-pc"] td')).toBe(hex8(symbol('console_write')));
    await page.click('.tabs button[data-tab="bt"]');
    await page.waitForSelector('[data-testid="bt-table"]', { visible: true, timeout: 10_000 });
    const unit = await text('[data-testid="bt-view"]');
    expect(unit).toContain(`unit ${hex8(symbol('console_write'))} <console_write>`);
    expect(await page.$(`[data-testid="bt-row-${hex8(symbol('console_write'))}"]`)).not.toBeNull();
    await shot('bt');
  });

  it('steps tinyos under bt beside hw and shows both timelines: traps under bt, exits under hw', async () => {
    await press('clear-points');
    await page.select('#compare-mode', 'hw');
    // A gutter breakpoint holds in both runs: each stops in the scheduler, after booting.
    await clickGutter(lineOf('guests/tinyos/tinyos.s', /^schedule:/) + 1);
    await press('load');
    for (let i = 0; i < 3; i++) await press('step');
    await press('continue');
    await page.waitForSelector('body[data-timeline="ready"]', { timeout: 20_000 });
    for (const i of [1, 2]) expect(await text(`.register-column:nth-child(${i}) [data-testid="reg-pc"] td`)).toBe(hex8(symbol('schedule')));
    const consoles = await page.$$eval('#consoles pre', (els) => els.map((e) => e.textContent ?? ''));
    expect(consoles).toHaveLength(2);
    for (const c of consoles) expect(c).toMatch(/tinyos: timer ok, starting processes/);
    const legend = async (testId: string, kind: string) => {
      const t = await text(`[data-testid="${testId}-legend-${kind}"]`);
      return Number(/([\d,]+)$/.exec(t)![1]!.replace(/,/g, ''));
    };
    expect(await text('#bottom .timeline-box:nth-child(1) h2')).toBe('timeline: bt');
    expect(await text('#bottom .timeline-box:nth-child(2) h2')).toBe('timeline: hw');
    expect(await legend('timeline', 'trap')).toBeGreaterThan(0);
    expect(await legend('timeline-2', 'exit')).toBeGreaterThan(0);
    expect(await legend('timeline', 'exit')).toBe(0);
    await page.click('.tabs button[data-tab="compare"]');
    await page.waitForSelector('[data-testid="compare-table"]', { visible: true });
    expect(await text('[data-testid="compare-preset"]')).toMatch(/^bt against hw, cost model p4-2006/);
    await shot('compare');
  }, 60_000);

  it('loads a shipped host configuration: tinyos under bt, pv and hw on one host', async () => {
    const value = await page.$$eval('#guest option', (os) => os.find((o) => o.textContent?.startsWith('host: three-modes'))?.value ?? null);
    expect(value).not.toBeNull();
    await page.select('#guest', value!);
    await page.waitForSelector('body[data-busy="false"]');
    // The file decides the VMs and their modes: the top bar's do not apply.
    expect(await page.$eval('#mode', (e) => (e as HTMLSelectElement).disabled)).toBe(true);
    await press('load');
    expect(await page.$$eval('#vm-select option', (os) => os.map((o) => o.textContent))).toEqual(['bt', 'pv', 'hw']);
    expect(await page.$$eval('#consoles figcaption', (fs) => fs.map((f) => f.textContent))).toEqual(['console: bt', 'console: pv', 'console: hw']);
    await page.click('.tabs button[data-tab="registers"]');
    await page.waitForSelector('body[data-busy="false"]');
    expect(await text('.register-column:nth-child(1) h2')).toBe('bt (bt)');
    const before = await text('.register-column:nth-child(1) [data-testid="reg-pc"] td');
    expect(before).toBe(hex8(symbol('_start')));
    await press('step');
    expect(await text('#status')).toMatch(/^stopped — bt: runnable, \d+ instructions; pv: runnable, \d+ instructions; hw: runnable, \d+ instructions$/);
    expect(await text('.register-column:nth-child(1) [data-testid="reg-pc"] td')).not.toBe(before);
    expect(pageErrors).toEqual([]);
  });
}, 60_000); // each case; the whole file takes about 20 s alone, more beside the rest of the suite

// Said as a skipped test where there is no browser, so the run's summary shows why the cases above did not run.
if (!chromium) describe('the playground in headless Chromium', () => it.skip(NO_CHROMIUM, () => undefined));
