/**
 * The console in a real browser against a real server: every step a user takes, each checked
 * again through the AWS SDK (the API the AWS CLI uses), with 1280×800 screenshots as artifacts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, CHROMIUM, openBrowser, shot } from './browser.js';
import { readFile } from 'node:fs/promises';
import {
  GetSigningProfileCommand,
  ListProfilePermissionsCommand,
  ListSigningJobsCommand,
  PutSigningProfileCommand,
  DescribeSigningJobCommand,
} from '@aws-sdk/client-signer';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parseOtaJobDocument, verifySignedObject } from '@fwsign/signing-engine';
import { awsCli, CREDS, startFixture, type Fixture } from './fixture.js';

const PROFILE = 'ConsoleFirmware_1';
const OTHER_ACCOUNT = '111122223333';

if (!hasChromium)
  console.warn(
    `console browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set FWSIGN_CHROMIUM)`,
  );

// A busy 2-core CI machine runs every suite at once: generous limits, no timing assertions.
describe.skipIf(!hasChromium)('console in Chromium', { timeout: 120_000 }, () => {
  let fx: Fixture;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fx = await startFixture();
    browser = await openBrowser();
    page = browser.page;
    page.setDefaultTimeout(45_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // A CSP violation, a React error or an unhandled rejection is logged as an error; the
    // browser's own "Failed to load resource" lines are the refused responses counted below.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
        pageErrors.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400) pageErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
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
    // The secret is in this tab's session storage only: no cookie, nothing in the URL.
    expect(await browser.context.cookies()).toEqual([]);
    expect(page.url()).not.toContain(CREDS.secretAccessKey);
    expect(await page.evaluate('sessionStorage.length')).toBe(1);
  });

  /** Opens a Cloudscape select (by test id or control id) and picks the option named `option`. */
  async function choose(trigger: string, option: string | RegExp): Promise<void> {
    const el = trigger.startsWith('#')
      ? page.locator(trigger)
      : page.getByTestId(trigger).locator('button').first();
    await el.click();
    await page.getByRole('option', { name: option }).first().click();
  }

  it('refuses an invalid name inline before sending, then creates a profile with a tag', async () => {
    await page.getByRole('link', { name: 'Create signing profile' }).click();
    await page.getByRole('heading', { name: 'Create signing profile' }).waitFor();
    await page.locator('#profile-name').fill('bad-name!');
    await page.getByRole('button', { name: 'Create profile' }).click();
    await page.getByTestId('name-alert').waitFor();
    expect(await page.getByTestId('name-alert').textContent()).toContain(
      'A–Z, a–z, 0–9 and underscore',
    );
    await shot(page, '04-create-profile-invalid-name');
    // Nothing was sent: the server saw no PutSigningProfile.
    expect(fx.log.filter((l) => l.includes('PutSigningProfile'))).toEqual([]);

    await page.locator('#profile-name').fill(PROFILE);
    // The validity period is offered for Signer-managed platforms only.
    await choose('#platform', 'AWS Lambda');
    await page.getByText('Signature validity period', { exact: true }).waitFor();
    await choose('#platform', 'Amazon FreeRTOS SHA256-ECDSA');
    await page
      .getByText('Signature validity period', { exact: true })
      .waitFor({ state: 'detached' });
    await choose('#certificate', 'console.example.com');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await page.getByLabel('Tag key 1').fill('team');
    await page.getByLabel('Tag value 1').fill('firmware');
    await shot(page, '05-create-profile');
    await page.getByRole('button', { name: 'Create profile' }).click();
    await page.getByTestId('profile-status').getByText('Active').waitFor();
    expect(page.url()).toContain(`#/profiles/${PROFILE}`);

    const p = await fx.signer.send(new GetSigningProfileCommand({ profileName: PROFILE }));
    expect(p).toMatchObject({
      status: 'Active',
      platformId: 'AmazonFreeRTOS-Default',
      tags: { team: 'firmware' },
      signatureValidityPeriod: { value: 135, type: 'MONTHS' },
      signingMaterial: { certificateArn: fx.certificateArn },
    });
  });

  it('lists the profile, opens it, and a reload keeps the page', async () => {
    await page.getByRole('link', { name: 'Signing profiles' }).first().click();
    const link = page.getByTestId('profiles-table').getByRole('link', { name: PROFILE });
    await link.waitFor();
    const listed = await awsCli(fx, ['signer', 'list-signing-profiles']);
    expect((listed.profiles as Array<{ profileName: string }>).map((x) => x.profileName)).toEqual([
      PROFILE,
    ]);
    await link.click();
    await page.getByTestId('profile-status').waitFor();
    await page.reload();
    await page.getByTestId('profile-status').getByText('Active').waitFor();
    await page.getByText('team', { exact: true }).waitFor();
    await shot(page, '06-profile-details');
  });

  it('adds and removes a cross-account permission', async () => {
    await page.getByRole('button', { name: 'Add permission' }).click();
    await page.locator('#perm-principal').fill(OTHER_ACCOUNT);
    await page.locator('#perm-sid').fill('release-team');
    await page.getByTestId('confirm').click();
    const row = page.getByTestId('permissions-table').getByText(OTHER_ACCOUNT);
    await row.waitFor();
    let perms = await fx.signer.send(new ListProfilePermissionsCommand({ profileName: PROFILE }));
    expect(perms.permissions).toEqual([
      { action: 'signer:StartSigningJob', principal: OTHER_ACCOUNT, statementId: 'release-team' },
    ]);
    await shot(page, '07-profile-permission');
    await page.getByRole('radio', { name: 'release-team' }).click();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByTestId('confirm').click();
    await row.waitFor({ state: 'detached' });
    perms = await fx.signer.send(new ListProfilePermissionsCommand({ profileName: PROFILE }));
    expect(perms.permissions ?? []).toEqual([]);
  });

  let jobId = '';
  it('starts a signing job from a bucket and shows it succeeded', async () => {
    await page.goto(`${fx.url}/console/#/jobs/start`);
    await page.getByRole('heading', { name: 'Start signing jobs' }).waitFor();
    await choose('job-profile', PROFILE);
    await choose('source-bucket', 'firmware-src');
    await choose('source-key', 'app/firmware.bin');
    await page.getByTestId('source-version').locator('button').first().getByText(/\S/).waitFor();
    // The destination typed as an S3 URL, as the console also allows.
    await page.getByTestId('destination-mode').getByText('Enter S3 URL').click();
    await page.locator('#destination-url').fill('s3://firmware-dst/signed/');
    await shot(page, '08-start-job');
    await page.getByRole('button', { name: 'Start job' }).click();
    await page.getByTestId('job-status').getByText('Succeeded').waitFor();
    jobId = decodeURIComponent(page.url().split('#/jobs/')[1]!);
    const job = await awsCli(fx, ['signer', 'describe-signing-job', '--job-id', jobId]);
    expect(job).toMatchObject({ status: 'Succeeded', profileName: PROFILE });
    expect((job.source as { s3: { key: string } }).s3.key).toBe('app/firmware.bin');
    expect(job.signedObject).toEqual({
      s3: { bucketName: 'firmware-dst', key: `signed/${jobId}` },
    });
    await page.getByTestId('ota-document').waitFor();
    await shot(page, '09-job-details', true);
  });

  it('downloads the signed object, which verifies against the certificate, and shows its OTA job document', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-signed').click(),
    ]);
    const bytes = new Uint8Array(await readFile(await download.path()));
    const job = await fx.signer.send(new DescribeSigningJobCommand({ jobId }));
    const stored = await fx.s3.send(
      new GetObjectCommand({
        Bucket: job.signedObject!.s3!.bucketName,
        Key: job.signedObject!.s3!.key,
      }),
    );
    expect(bytes).toEqual(await stored.Body!.transformToByteArray());
    const verdict = await verifySignedObject({
      signedObject: bytes,
      certificate: await readFile(fx.certFile),
    });
    expect(verdict).toMatchObject({ ok: true, payloadSize: fx.firmware.length });
    const doc = parseOtaJobDocument((await page.getByTestId('ota-document').textContent())!);
    expect(doc.streamname).toBe(`AFR_OTA-${jobId}`);
    expect(doc.files[0]).toMatchObject({
      filepath: '/firmware/update.bin',
      certfile: '/certs/codesign.crt',
      filesize: fx.firmware.length,
    });
  });

  it('revokes the signature after confirmation', async () => {
    await page.getByRole('button', { name: 'Revoke signature' }).click();
    await page.locator('#revoke-signature-reason').fill('key rotation drill');
    await page.getByTestId('confirm').click();
    await page.getByTestId('job-revocation').getByText('Revoked').waitFor();
    const job = await fx.signer.send(new DescribeSigningJobCommand({ jobId }));
    expect(job.revocationRecord).toMatchObject({ reason: 'key rotation drill' });
    const revoked = await fx.signer.send(new ListSigningJobsCommand({ isRevoked: true }));
    expect(revoked.jobs?.map((j) => j.jobId)).toEqual([jobId]);
    // The API refuses the revoked job's document (409 ConflictException) and the page says why.
    await page.getByText('No OTA job document').waitFor();
    await page
      .getByText(/was revoked at .*\(key rotation drill\); devices must not be sent it/)
      .waitFor();
    await page.goto(`${fx.url}/console/#/jobs`);
    const jobLink = page.getByTestId('jobs-table').getByRole('link', { name: jobId });
    await jobLink.waitFor();
    await shot(page, '10-jobs');
    // ListSigningJobs' isRevoked filter, from the list's revocation filter.
    await choose('filter-revocation', 'Not revoked');
    await page.getByText('No signing jobs').waitFor();
    await choose('filter-revocation', /^Revoked$/);
    await jobLink.waitFor();
    // ListSigningJobs' jobInvoker filter: another account invoked none of this account's jobs.
    const invoker = page.getByLabel('Job invoker');
    await invoker.fill('999999999999');
    await page.getByText('No signing jobs').waitFor();
    const me = (await fx.signer.send(new DescribeSigningJobCommand({ jobId }))).jobInvoker!;
    await invoker.fill(me);
    await jobLink.waitFor();
  });

  it('holds its layout with a 64-character name and 50 long tags', async () => {
    const long = `Firmware_${'x'.repeat(55)}`;
    await fx.signer.send(
      new PutSigningProfileCommand({
        profileName: long,
        platformId: 'AmazonFreeRTOS-Default',
        signingMaterial: { certificateArn: fx.certificateArn },
        tags: Object.fromEntries(
          Array.from({ length: 50 }, (_, i) => [
            `tag-${i}-${'k'.repeat(100)}`,
            `value-${'v'.repeat(200)}`,
          ]),
        ),
      }),
    );
    await page.goto(`${fx.url}/console/#/profiles`);
    await page.getByRole('link', { name: long }).waitFor();
    await shot(page, '11-profiles');
    await page.goto(`${fx.url}/console/#/profiles/${long}`);
    await page.getByTestId('tags-table').getByText('(50)').waitFor();
    await shot(page, '12-profile-50-tags');
    await page
      .getByTestId('tags-table')
      .getByText(/^tag-10-/)
      .scrollIntoViewIfNeeded();
    await shot(page, '12-profile-50-tags-scrolled');
    // Revoke, effective now, after confirmation.
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.locator('#revoke-reason').fill('compromised build host');
    await page.getByTestId('confirm').click();
    await page.getByTestId('profile-status').getByText('Revoked').waitFor();
    const revoked = await fx.signer.send(new GetSigningProfileCommand({ profileName: long }));
    expect(revoked.status).toBe('Revoked');
    expect(revoked.revocationRecord?.revokedBy).toBe('arn:aws:iam::000000000000:root');
    // Nothing wider than the window: no horizontal scrollbar.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
  });

  it('cancels the profile after confirmation', async () => {
    await page.goto(`${fx.url}/console/#/profiles/${PROFILE}`);
    await page.getByRole('button', { name: 'Cancel profile' }).click();
    await page.getByTestId('confirm').click();
    await page.getByTestId('profile-status').getByText('Canceled').waitFor();
    const p = await awsCli(fx, ['signer', 'get-signing-profile', '--profile-name', PROFILE]);
    expect(p.status).toBe('Canceled');
    // The default list leaves canceled profiles out; the toggle brings them back.
    await page.goto(`${fx.url}/console/#/profiles`);
    await page.getByRole('link', { name: /^Firmware_x/ }).waitFor();
    expect(await page.getByRole('link', { name: PROFILE }).count()).toBe(0);
    await page.getByText('Show canceled profiles').click();
    await page.getByRole('link', { name: PROFILE }).waitFor();
  });

  it('shows every platform with GetSigningPlatform fields; sign-out forgets the keys; no other call failed', async () => {
    await page.goto(`${fx.url}/console/#/platforms`);
    await page.getByText('AmazonFreeRTOS-TI-CC3220SF').waitFor();
    await shot(page, '13-platforms');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    // The refused calls: the sign-in with the wrong secret, and the revoked job's OTA document.
    const otaRefusals = pageErrors.filter((e) =>
      e.startsWith(`409 GET ${fx.url}/_fwsign/signing-jobs/${jobId}/ota-job-document?`),
    );
    expect(otaRefusals.length).toBeGreaterThan(0);
    expect(pageErrors.filter((e) => !otaRefusals.includes(e))).toEqual([
      `403 GET ${fx.url}/signing-profiles?maxResults=1`,
    ]);
  });
});
