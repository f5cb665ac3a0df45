/* Generated from packages/protocol/protocol.json by `pnpm generate`. Do not edit. */
#ifndef FWV_PROTOCOL_H
#define FWV_PROTOCOL_H

/* Result codes: every verifier entry point returns one of these, never a bare boolean. */
typedef enum {
    FWV_OK = 0,
    FWV_ERR_SIGNATURE = 1,
    FWV_ERR_DER = 2,
    FWV_ERR_UNKNOWN_ANCHOR = 3,
    FWV_ERR_ALG_MISMATCH = 4,
    FWV_ERR_TOO_LARGE = 5,
    FWV_ERR_BAD_KEY = 6,
    FWV_ERR_ANCHOR_TABLE = 7,
    FWV_ERR_UNKNOWN_ALG = 8,
    FWV_ERR_BAD_LENGTH = 9,
    FWV_ERR_STATE = 10,
    FWV_ERR_ARG = 11,
    FWV_ERR_NO_IMAGE = 12,
    FWV_ERR_HASH_MISMATCH = 13,
    FWV_ERR_NOT_VERIFIED = 14,
    FWV_ERR_FLASH = 15,
    FWV_ERR_NO_SIGNATURE = 16,
    FWV_ERR_VECTOR_TABLE = 17,
    FWV_ERR_DOWNGRADE = 18,
    FWV_ERR_BAD_IMAGE = 19,
} fwv_result;
#define FWV_RESULT_COUNT 20
/* X-macro over (code, text) so a .c file can build name and text tables. */
#define FWV_RESULT_LIST(X) \
    X(FWV_OK, "verified") \
    X(FWV_ERR_SIGNATURE, "signature does not match the image and key") \
    X(FWV_ERR_DER, "signature is not strict DER SEQUENCE { INTEGER r, INTEGER s }") \
    X(FWV_ERR_UNKNOWN_ANCHOR, "no trust anchor has that certfile name") \
    X(FWV_ERR_ALG_MISMATCH, "signature algorithm does not match the trust anchor's key type") \
    X(FWV_ERR_TOO_LARGE, "image is larger than the slot or the stated size") \
    X(FWV_ERR_BAD_KEY, "public key is malformed (point not on curve, or RSA modulus/exponent unsupported)") \
    X(FWV_ERR_ANCHOR_TABLE, "trust-anchor table is missing or corrupt (magic, version, length or CRC)") \
    X(FWV_ERR_UNKNOWN_ALG, "signature algorithm is not supported") \
    X(FWV_ERR_BAD_LENGTH, "signature length is wrong for the algorithm") \
    X(FWV_ERR_STATE, "operation called out of order") \
    X(FWV_ERR_ARG, "invalid argument") \
    X(FWV_ERR_NO_IMAGE, "slot holds no complete image") \
    X(FWV_ERR_HASH_MISMATCH, "uploaded image does not match the SHA-256 sent with it") \
    X(FWV_ERR_NOT_VERIFIED, "slot has not been verified") \
    X(FWV_ERR_FLASH, "flash write or erase failed") \
    X(FWV_ERR_NO_SIGNATURE, "no signature has been handed over for the slot") \
    X(FWV_ERR_VECTOR_TABLE, "image cannot start here: initial stack pointer outside RAM, or reset handler outside the slot or not Thumb") \
    X(FWV_ERR_DOWNGRADE, "image version is lower than the installed one") \
    X(FWV_ERR_BAD_IMAGE, "MCUboot image header or TLVs are malformed")

/* Signature algorithms, by the job document key that names them. */
#define FWV_ALG_SHA256_ECDSA 1
#define FWV_ALG_SHA256_ECDSA_KEY "sig-sha256-ecdsa"
#define FWV_ALG_SHA256_ECDSA_KEY_TYPE FWV_KEY_EC_P256
#define FWV_ALG_SHA1_RSA 2
#define FWV_ALG_SHA1_RSA_KEY "sig-sha1-rsa"
#define FWV_ALG_SHA1_RSA_KEY_TYPE FWV_KEY_RSA_2048
#define FWV_KEY_EC_P256 1
#define FWV_KEY_RSA_2048 2

/* Trust-anchor table: little-endian header, fixed-size entries, CRC-32 (zlib) over both. */
#define FWV_TA_MAGIC 0x41545746u /* "FWTA" */
#define FWV_TA_VERSION 1
#define FWV_TA_MAX_ENTRIES 8
#define FWV_TA_HEADER_SIZE 16
#define FWV_TA_ENTRY_SIZE 360
#define FWV_TA_NAME_SIZE 64
#define FWV_TA_KEY_SIZE 260
#define FWV_TA_CRC_SIZE 4
#define FWV_TA_HDR_MAGIC_OFFSET 0
#define FWV_TA_HDR_MAGIC_SIZE 4
#define FWV_TA_HDR_VERSION_OFFSET 4
#define FWV_TA_HDR_VERSION_SIZE 2
#define FWV_TA_HDR_COUNT_OFFSET 6
#define FWV_TA_HDR_COUNT_SIZE 2
#define FWV_TA_HDR_TOTAL_LENGTH_OFFSET 8
#define FWV_TA_HDR_TOTAL_LENGTH_SIZE 4
#define FWV_TA_HDR_RESERVED_OFFSET 12
#define FWV_TA_HDR_RESERVED_SIZE 4
#define FWV_TA_ENTRY_KEY_TYPE_OFFSET 0
#define FWV_TA_ENTRY_KEY_TYPE_SIZE 1
#define FWV_TA_ENTRY_NAME_LENGTH_OFFSET 1
#define FWV_TA_ENTRY_NAME_LENGTH_SIZE 1
#define FWV_TA_ENTRY_RESERVED_OFFSET 2
#define FWV_TA_ENTRY_RESERVED_SIZE 2
#define FWV_TA_ENTRY_NAME_OFFSET 4
#define FWV_TA_ENTRY_NAME_SIZE 64
#define FWV_TA_ENTRY_CERT_SHA256_OFFSET 68
#define FWV_TA_ENTRY_CERT_SHA256_SIZE 32
#define FWV_TA_ENTRY_KEY_OFFSET 100
#define FWV_TA_ENTRY_KEY_SIZE 260

/* SMP (MCUmgr) header, ops, groups, commands and error codes. */
#define FWV_SMP_HEADER_SIZE 8
#define FWV_SMP_OP_READ 0
#define FWV_SMP_OP_READ_RSP 1
#define FWV_SMP_OP_WRITE 2
#define FWV_SMP_OP_WRITE_RSP 3
#define FWV_SMP_GROUP_OS 0
#define FWV_SMP_GROUP_IMAGE 1
#define FWV_SMP_GROUP_FWSIGN 64
#define FWV_SMP_OS_ECHO 0
#define FWV_SMP_OS_RESET 5
#define FWV_SMP_OS_MCUMGR_PARAMS 6
#define FWV_SMP_IMAGE_STATE 0
#define FWV_SMP_IMAGE_UPLOAD 1
#define FWV_SMP_IMAGE_ERASE 5
#define FWV_SMP_FWSIGN_SIGNATURE 0
#define FWV_SMP_FWSIGN_VERIFY 1
#define FWV_SMP_FWSIGN_MARK_BOOTABLE 2
#define FWV_SMP_FWSIGN_STATUS 3
#define FWV_SMP_ERR_EOK 0
#define FWV_SMP_ERR_EUNKNOWN 1
#define FWV_SMP_ERR_ENOMEM 2
#define FWV_SMP_ERR_EINVAL 3
#define FWV_SMP_ERR_ETIMEOUT 4
#define FWV_SMP_ERR_ENOENT 5
#define FWV_SMP_ERR_EBADSTATE 6
#define FWV_SMP_ERR_EMSGSIZE 7
#define FWV_SMP_ERR_ENOTSUP 8
#define FWV_SMP_ERR_ECORRUPT 9
#define FWV_SMP_ERR_EBUSY 10
#define FWV_SMP_IMG_ERR_UNKNOWN 1
#define FWV_SMP_IMG_ERR_NO_IMAGE 3
#define FWV_SMP_IMG_ERR_INVALID_TLV 5
#define FWV_SMP_IMG_ERR_HASH_NOT_FOUND 8
#define FWV_SMP_IMG_ERR_FLASH_WRITE_FAILED 12
#define FWV_SMP_IMG_ERR_FLASH_ERASE_FAILED 13
#define FWV_SMP_IMG_ERR_INVALID_SLOT 14
#define FWV_SMP_IMG_ERR_INVALID_OFFSET 20
#define FWV_SMP_IMG_ERR_INVALID_LENGTH 21
#define FWV_SMP_IMG_ERR_INVALID_IMAGE_HEADER 22
#define FWV_SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC 23
#define FWV_SMP_IMG_ERR_INVALID_HASH 24
#define FWV_SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER 27
#define FWV_SMP_IMG_ERR_IMAGE_ALREADY_PENDING 28
#define FWV_SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE 29
#define FWV_SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE 30
#define FWV_SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN 31
#define FWV_SMP_IMG_ERR_IMAGE_CONFIRMATION_DENIED 32
#define FWV_SMP_IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED 33

/* MCUboot's image format: header, TLV info magics, TLV types (fwsign's own among them). */
#define FWV_MCUBOOT_MAGIC 0x96F3B83Du
#define FWV_MCUBOOT_HEADER_SIZE 32
#define FWV_MCUBOOT_TLV_INFO_MAGIC 0x00006907u
#define FWV_MCUBOOT_PROT_TLV_INFO_MAGIC 0x00006908u
#define FWV_MCUBOOT_TLV_SHA256 16
#define FWV_MCUBOOT_TLV_SEC_CNT 80
#define FWV_MCUBOOT_TLV_FWSIGN_SIG 160
#define FWV_MCUBOOT_TLV_FWSIGN_CERTFILE 161
#define FWV_MCUBOOT_TLV_FWSIGN_ALG 162

/* SMP over a serial console: line markers and the longest line. */
#define FWV_CONSOLE_FIRST_0 6
#define FWV_CONSOLE_FIRST_1 9
#define FWV_CONSOLE_CONT_0 4
#define FWV_CONSOLE_CONT_1 20
#define FWV_CONSOLE_MAX_LINE 127

#endif /* FWV_PROTOCOL_H */
