export { AuditError, type AuditErrorCode } from './errors.js';
export { MerkleTree, leafHash, nodeHash, EMPTY_ROOT, type Hash } from './merkle.js';
export { verifyInclusion, verifyConsistency, type ProofVerdict } from './verify-proof.js';
export {
  signNote,
  parseNote,
  verifyNote,
  signerFromSeed,
  parseSignerKey,
  parseVerifierKey,
  formatVerifierKey,
  formatSignerKey,
  keyIdOf,
  type NoteSigner,
  type NoteVerifier,
  type NoteSignature,
  type NoteVerdict,
} from './note.js';
export {
  checkpointBody,
  signCheckpoint,
  parseCheckpointBody,
  openCheckpoint,
  type Checkpoint,
  type CheckpointVerdict,
} from './checkpoint.js';
export {
  ENTRY_KINDS,
  canonicalJson,
  encodeEntry,
  decodeEntry,
  entryLeafHash,
  type AuditEntry,
  type EntryKind,
  type JsonValue,
} from './entry.js';
export {
  ENTRIES_DIR,
  CHECKPOINTS_DIR,
  PUBLIC_KEY_FILE,
  ENTRIES_PER_FILE,
  entryFileName,
  checkpointFileName,
  readEntryLines,
  readCheckpointFiles,
  readLogFiles,
  type LogLine,
  type LogSource,
} from './log-files.js';
export { verifyLog, type LogReport, type LogProblem, type VerifyLogOptions } from './verify-log.js';
export { checkInclusionBundle, type InclusionBundle, type BundleVerdict } from './proof-bundle.js';
