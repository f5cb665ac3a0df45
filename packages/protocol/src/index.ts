export * from './generated.js';
export { crc32 } from './crc32.js';
export {
  decodeTrustAnchorTable,
  encodeTrustAnchorTable,
  trustAnchorTableSize,
  TrustAnchorTableError,
  type TrustAnchor,
  type TrustAnchorKey,
} from './trust-anchor-table.js';
