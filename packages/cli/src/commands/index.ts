/**
 * The command table. To add a verb: write src/commands/<verb>.ts exporting a Command, add ONE line
 * below, and add test/commands/<verb words joined by "-">.test.ts, or run it (its words quoted) in a
 * test file shared by a family of verbs. test/commands.test.ts fails for a command without a test,
 * as imgtool's test_commands does.
 */
import type { Command } from '../command.js';
import { device } from './device.js';
import { flash } from './flash.js';
import { pack } from './pack.js';
import { getSigningPlatform } from './get-signing-platform.js';
import { keysCreate } from './keys-create.js';
import { listSigningPlatforms } from './list-signing-platforms.js';
import { otaJobDocument } from './ota-job-document.js';
import { sign } from './sign.js';
import { trustAnchors } from './trust-anchors.js';
import { verify } from './verify.js';
import { serve } from './serve.js';
import { AWS_VERBS } from './aws/verbs.js';
import { waitSuccessfulSigningJob } from './aws/wait.js';
import { importCertificate } from './aws/import-certificate.js';
import { demo } from './demo.js';
import { caExport } from './ca-export.js';
import { masterKeyRotate } from './master-key-rotate.js';

export const COMMANDS: readonly Command[] = [
  keysCreate,
  sign,
  verify,
  otaJobDocument,
  listSigningPlatforms,
  getSigningPlatform,
  trustAnchors,
  flash,
  pack,
  device,
  serve,
  ...AWS_VERBS,
  waitSuccessfulSigningJob,
  importCertificate,
  demo,
  caExport,
  masterKeyRotate,
];
