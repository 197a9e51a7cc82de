// Debian's Chromium, driven by puppeteer-core (which never downloads a browser of its own):
// for the browser tests and the budgets script.
import { accessSync, constants } from 'node:fs';
import type { Browser } from 'puppeteer-core';

/** Where Debian's package puts it (VIRTLAB_CHROMIUM overrides, for another install). */
export const CHROMIUM_PATH = process.env['VIRTLAB_CHROMIUM'] || '/usr/bin/chromium';

/** The browser's path, or null when there is none to run. */
export function findChromium(): string | null {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return CHROMIUM_PATH;
  } catch {
    return null;
  }
}

/** Why browser checks are skipped, in one line, when findChromium() found none. */
export const NO_CHROMIUM = `no Chromium at ${CHROMIUM_PATH} (Debian's package 'chromium'; .ci/run installs it, or set VIRTLAB_CHROMIUM): the browser checks are skipped`;

export async function launchChromium(path: string): Promise<Browser> {
  const { launch } = await import('puppeteer-core');
  return launch({
    executablePath: path,
    headless: true,
    // Root in CI has no user namespace sandbox; /dev/shm may be small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
    defaultViewport: { width: 1440, height: 900 },
    timeout: 20_000,
  });
}
