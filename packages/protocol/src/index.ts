export * from './generated.js';
export {
  decodeTrustAnchorTable,
  encodeTrustAnchorTable,
  trustAnchorTableSize,
  TrustAnchorTableError,
  type TrustAnchor,
  type TrustAnchorKey,
} from './trust-anchor-table.js';
