/**
 * The command table. To add a verb: write src/commands/<verb>.ts exporting a Command, add ONE
 * `lazy(…)` line below (its code then loads only when it runs), and add
 * test/commands/<verb words joined by "-">.test.ts, or run it (its words quoted) in a test file
 * shared by a family of verbs. test/commands.test.ts fails for a command without a test, as
 * imgtool's test_commands does. A Command object listed directly works too, but is loaded on
 * every start.
 */
import { lazy, type CommandEntry } from '../command.js';
import { AWS_VERB_ENTRIES } from './aws/table.js';

export const COMMANDS: readonly CommandEntry[] = [
  lazy(
    'keys create',
    'create a development signing key and a self-signed code-signing certificate',
    async () => (await import('./keys-create.js')).keysCreate,
  ),
  lazy(
    'sign',
    'sign a firmware image into an AWS Signer signed object (JSONEmbedded or JSONDetached)',
    async () => (await import('./sign.js')).sign,
  ),
  lazy(
    'verify',
    'verify a signed object, a Notation envelope or a signed Lambda ZIP (exit 0 valid, 1 invalid)',
    async () => (await import('./verify.js')).verify,
  ),
  lazy(
    'ota-job-document',
    'build the FreeRTOS OTA job document (afr_ota) from signed objects',
    async () => (await import('./ota-job-document.js')).otaJobDocument,
  ),
  lazy(
    'list-signing-platforms',
    'list the signing platforms, as `aws signer list-signing-platforms` prints them',
    async () => (await import('./list-signing-platforms.js')).listSigningPlatforms,
  ),
  lazy(
    'get-signing-platform',
    'show one signing platform, as `aws signer get-signing-platform` prints it',
    async () => (await import('./get-signing-platform.js')).getSigningPlatform,
  ),
  lazy(
    'trust-anchors',
    'build the device trust-anchor table from code-signing certificates (the provisioning step)',
    async () => (await import('./trust-anchors.js')).trustAnchors,
  ),
  lazy(
    'flash',
    'push a signed image to a board over SMP and print what the device concluded (exit 0 only if it verified)',
    async () => (await import('./flash.js')).flash,
  ),
  lazy(
    'device',
    'talk to a board over SMP: list serial ports, echo, reset, or show its buffers and slots',
    async () => (await import('./device.js')).device,
  ),
  lazy(
    'serve',
    'run the AWS-Signer-compatible API (Signer, ACM import, S3 subset) on one port',
    async () => (await import('./serve.js')).serve,
  ),
  lazy(
    'pack',
    'wrap a signed image in MCUboot’s image format (imgtool header, version, SHA-256 TLV) with its AWS Signer signature in fwsign TLVs',
    async () => (await import('./pack.js')).pack,
  ),
  ...AWS_VERB_ENTRIES,
  lazy(
    'wait successful-signing-job',
    'wait until a signing job Succeeded; exit 255 if it Failed (aws signer wait successful-signing-job)',
    async () => (await import('./aws/wait.js')).waitSuccessfulSigningJob,
  ),
  lazy(
    'import-certificate',
    'import a certificate and its private key as signing material; prints its certificateArn',
    async () => (await import('./aws/import-certificate.js')).importCertificate,
  ),
  lazy(
    'demo',
    'sign the test application, flash it to an emulated board, and show the device verify and boot it',
    async () => (await import('./demo.js')).demo,
  ),
  lazy(
    'master-key rotate',
    're-seal every private key of a data dir under a new random master key, in one transaction',
    async () => (await import('./master-key-rotate.js')).masterKeyRotate,
  ),
  lazy(
    'store copy',
    "copy a data dir's store into an empty PostgreSQL database, and check the copy",
    async () => (await import('./store-copy.js')).storeCopy,
  ),
  lazy(
    'ca export',
    "write the account's fwsign root CA certificate (PEM), the trust anchor for Lambda and Notation signatures",
    async () => (await import('./ca-export.js')).caExport,
  ),
  lazy(
    'audit checkpoint',
    "print a fresh signed checkpoint of the data dir's transparency log (C2SP tlog-checkpoint)",
    async () => (await import('./audit-checkpoint.js')).auditCheckpoint,
  ),
  lazy(
    'audit verify',
    'check the transparency log files against every checkpoint, offline; names the first bad entry',
    async () => (await import('./audit-verify.js')).auditVerify,
  ),
  lazy(
    'audit prove',
    "print a job's log entry and its inclusion proof against the latest checkpoint (JSON)",
    async () => (await import('./audit-prove.js')).auditProve,
  ),
  lazy(
    'audit check-proof',
    "check an inclusion proof offline with nothing but the log's public key",
    async () => (await import('./audit-check-proof.js')).auditCheckProof,
  ),
  lazy(
    'audit public-key',
    "print the transparency log's Ed25519 verifier key",
    async () => (await import('./audit-public-key.js')).auditPublicKey,
  ),
  lazy(
    'audit log',
    'list the transparency log entries, filtered by profile, job, caller, kind or time',
    async () => (await import('./audit-log.js')).auditLog,
  ),
];
