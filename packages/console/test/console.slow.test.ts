/**
 * The console in a real browser against a real server: every step a user takes, each checked
 * again through the AWS SDK (the API the AWS CLI uses), with 1280×800 screenshots as artifacts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, CHROMIUM, openBrowser, shot } from './browser.js';
import { CREDS, startFixture, type Fixture } from './fixture.js';

if (!hasChromium)
  console.warn(
    `console browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set FWSIGN_CHROMIUM)`,
  );

describe.skipIf(!hasChromium)('console in Chromium', () => {
  let fx: Fixture;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fx = await startFixture();
    browser = await openBrowser();
    page = browser.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await fx?.close();
  });

  async function signIn(secret: string): Promise<void> {
    await page.locator('#access-key-id').fill(CREDS.accessKeyId);
    await page.locator('#secret-access-key').fill(secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('a wrong secret shows the sign-in error with the AWS code; the right one signs in', async () => {
    await page.goto(`${fx.url}/console/`);
    await shot(page, '01-sign-in');
    await signIn('not-the-secret');
    const alert = page.getByText('Sign-in failed');
    await alert.waitFor();
    await expect(page.getByTestId('error-code').textContent()).resolves.toBe(
      'InvalidSignatureException',
    );
    await shot(page, '02-sign-in-error');
    await signIn(CREDS.secretAccessKey);
    await page.getByRole('heading', { name: 'Signing profiles' }).waitFor();
    await shot(page, '03-profiles-empty');
  });
});
