// Generated from packages/protocol/protocol.json by `pnpm generate`. Do not edit.

export const ResultCode = {
  OK: 0,
  ERR_SIGNATURE: 1,
  ERR_DER: 2,
  ERR_UNKNOWN_ANCHOR: 3,
  ERR_ALG_MISMATCH: 4,
  ERR_TOO_LARGE: 5,
  ERR_BAD_KEY: 6,
  ERR_ANCHOR_TABLE: 7,
  ERR_UNKNOWN_ALG: 8,
  ERR_BAD_LENGTH: 9,
  ERR_STATE: 10,
  ERR_ARG: 11,
  ERR_NO_IMAGE: 12,
  ERR_HASH_MISMATCH: 13,
  ERR_NOT_VERIFIED: 14,
  ERR_FLASH: 15,
  ERR_NO_SIGNATURE: 16,
  ERR_VECTOR_TABLE: 17,
  ERR_DOWNGRADE: 18,
  ERR_BAD_IMAGE: 19,
} as const;
export type ResultCode = (typeof ResultCode)[keyof typeof ResultCode];

export const RESULT_CODES: readonly { readonly name: string; readonly value: number; readonly text: string }[] = [
  { name: 'FWV_OK', value: 0, text: "verified" },
  { name: 'FWV_ERR_SIGNATURE', value: 1, text: "signature does not match the image and key" },
  { name: 'FWV_ERR_DER', value: 2, text: "signature is not strict DER SEQUENCE { INTEGER r, INTEGER s }" },
  { name: 'FWV_ERR_UNKNOWN_ANCHOR', value: 3, text: "no trust anchor has that certfile name" },
  { name: 'FWV_ERR_ALG_MISMATCH', value: 4, text: "signature algorithm does not match the trust anchor's key type" },
  { name: 'FWV_ERR_TOO_LARGE', value: 5, text: "image is larger than the slot or the stated size" },
  { name: 'FWV_ERR_BAD_KEY', value: 6, text: "public key is malformed (point not on curve, or RSA modulus/exponent unsupported)" },
  { name: 'FWV_ERR_ANCHOR_TABLE', value: 7, text: "trust-anchor table is missing or corrupt (magic, version, length or CRC)" },
  { name: 'FWV_ERR_UNKNOWN_ALG', value: 8, text: "signature algorithm is not supported" },
  { name: 'FWV_ERR_BAD_LENGTH', value: 9, text: "signature length is wrong for the algorithm" },
  { name: 'FWV_ERR_STATE', value: 10, text: "operation called out of order" },
  { name: 'FWV_ERR_ARG', value: 11, text: "invalid argument" },
  { name: 'FWV_ERR_NO_IMAGE', value: 12, text: "slot holds no complete image" },
  { name: 'FWV_ERR_HASH_MISMATCH', value: 13, text: "uploaded image does not match the SHA-256 sent with it" },
  { name: 'FWV_ERR_NOT_VERIFIED', value: 14, text: "slot has not been verified" },
  { name: 'FWV_ERR_FLASH', value: 15, text: "flash write or erase failed" },
  { name: 'FWV_ERR_NO_SIGNATURE', value: 16, text: "no signature has been handed over for the slot" },
  { name: 'FWV_ERR_VECTOR_TABLE', value: 17, text: "image cannot start here: initial stack pointer outside RAM, or reset handler outside the slot or not Thumb" },
  { name: 'FWV_ERR_DOWNGRADE', value: 18, text: "image version is lower than the installed one" },
  { name: 'FWV_ERR_BAD_IMAGE', value: 19, text: "MCUboot image header or TLVs are malformed" },
];

export const Algorithm = {
  SHA256_ECDSA: 1,
  SHA1_RSA: 2,
} as const;
export type Algorithm = (typeof Algorithm)[keyof typeof Algorithm];

export const KeyType = {
  EC_P256: 1,
  RSA_2048: 2,
} as const;
export type KeyType = (typeof KeyType)[keyof typeof KeyType];

export const ALGORITHMS = [
  { id: 1, name: 'SHA256_ECDSA', jobDocumentKey: 'sig-sha256-ecdsa', signatureAlgorithm: 'SHA256withECDSA', keyType: 1 },
  { id: 2, name: 'SHA1_RSA', jobDocumentKey: 'sig-sha1-rsa', signatureAlgorithm: 'SHA1withRSA', keyType: 2 },
] as const;

export const TRUST_ANCHOR_TABLE = {
  magic: 0x41545746,
  version: 1,
  maxEntries: 8,
  headerSize: 16,
  entrySize: 360,
  nameSize: 64,
  keySize: 260,
  crcSize: 4,
  header: {
    magic: { offset: 0, size: 4 },
    version: { offset: 4, size: 2 },
    count: { offset: 6, size: 2 },
    totalLength: { offset: 8, size: 4 },
    reserved: { offset: 12, size: 4 },
  },
  entry: {
    keyType: { offset: 0, size: 1 },
    nameLength: { offset: 1, size: 1 },
    reserved: { offset: 2, size: 2 },
    name: { offset: 4, size: 64 },
    certSha256: { offset: 68, size: 32 },
    key: { offset: 100, size: 260 },
  },
} as const;

export const SMP_HEADER_SIZE = 8;

export const SmpOp = {
  READ: 0,
  READ_RSP: 1,
  WRITE: 2,
  WRITE_RSP: 3,
} as const;
export type SmpOp = (typeof SmpOp)[keyof typeof SmpOp];

export const SmpGroup = {
  OS: 0,
  IMAGE: 1,
  FWSIGN: 64,
} as const;
export type SmpGroup = (typeof SmpGroup)[keyof typeof SmpGroup];

export const SmpOsCommand = {
  ECHO: 0,
  RESET: 5,
  MCUMGR_PARAMS: 6,
} as const;
export type SmpOsCommand = (typeof SmpOsCommand)[keyof typeof SmpOsCommand];

export const SmpImageCommand = {
  STATE: 0,
  UPLOAD: 1,
  ERASE: 5,
} as const;
export type SmpImageCommand = (typeof SmpImageCommand)[keyof typeof SmpImageCommand];

export const SmpFwsignCommand = {
  SIGNATURE: 0,
  VERIFY: 1,
  MARK_BOOTABLE: 2,
  STATUS: 3,
} as const;
export type SmpFwsignCommand = (typeof SmpFwsignCommand)[keyof typeof SmpFwsignCommand];

export const SmpError = {
  EOK: 0,
  EUNKNOWN: 1,
  ENOMEM: 2,
  EINVAL: 3,
  ETIMEOUT: 4,
  ENOENT: 5,
  EBADSTATE: 6,
  EMSGSIZE: 7,
  ENOTSUP: 8,
  ECORRUPT: 9,
  EBUSY: 10,
} as const;
export type SmpError = (typeof SmpError)[keyof typeof SmpError];

export const SmpImageError = {
  UNKNOWN: 1,
  NO_IMAGE: 3,
  INVALID_TLV: 5,
  HASH_NOT_FOUND: 8,
  FLASH_WRITE_FAILED: 12,
  FLASH_ERASE_FAILED: 13,
  INVALID_SLOT: 14,
  INVALID_OFFSET: 20,
  INVALID_LENGTH: 21,
  INVALID_IMAGE_HEADER: 22,
  INVALID_IMAGE_HEADER_MAGIC: 23,
  INVALID_HASH: 24,
  CURRENT_VERSION_IS_NEWER: 27,
  IMAGE_ALREADY_PENDING: 28,
  INVALID_IMAGE_VECTOR_TABLE: 29,
  INVALID_IMAGE_TOO_LARGE: 30,
  INVALID_IMAGE_DATA_OVERRUN: 31,
  IMAGE_CONFIRMATION_DENIED: 32,
  IMAGE_SETTING_TEST_TO_ACTIVE_DENIED: 33,
} as const;
export type SmpImageError = (typeof SmpImageError)[keyof typeof SmpImageError];

export const MCUBOOT_IMAGE = {
  magic: 0x96f3b83d,
  headerSize: 32,
  tlvInfoMagic: 0x6907,
  protectedTlvInfoMagic: 0x6908,
} as const;

export const McubootTlv = {
  SHA256: 16,
  SEC_CNT: 80,
  FWSIGN_SIG: 160,
  FWSIGN_CERTFILE: 161,
  FWSIGN_ALG: 162,
} as const;
export type McubootTlv = (typeof McubootTlv)[keyof typeof McubootTlv];

export const CONSOLE_FRAMING = {
  firstLineMarker: [6, 9],
  continuationMarker: [4, 20],
  maxLineLength: 127,
} as const;
