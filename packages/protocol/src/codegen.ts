/**
 * Renders protocol.json into the TypeScript module and the C header. Both outputs are committed;
 * test/drift.test.ts re-renders them and fails when either differs from what is on disk.
 */
import type { FieldSpec, NamedValue, ProtocolSpec } from './spec.js';
import { fieldSize, validateSpec } from './spec.js';

const BANNER = 'Generated from packages/protocol/protocol.json by `pnpm generate`. Do not edit.';

const upperSnake = (camel: string): string =>
  camel.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
const pascal = (upper: string): string =>
  upper.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
const hex32 = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(8, '0')}u`;

function tsEnum(name: string, items: readonly NamedValue[]): string {
  const body = items.map((i) => `  ${i.name}: ${i.value},`).join('\n');
  return `export const ${name} = {\n${body}\n} as const;\nexport type ${name} = (typeof ${name})[keyof typeof ${name}];\n`;
}

function tsOffsets(fields: readonly FieldSpec[]): string {
  return fields
    .map((f) => `    ${f.name}: { offset: ${f.offset}, size: ${fieldSize(f)} },`)
    .join('\n');
}

export function renderTypeScript(spec: ProtocolSpec): string {
  validateSpec(spec);
  const t = spec.trustAnchorTable;
  const out: string[] = [`// ${BANNER}`, ''];
  out.push(tsEnum('ResultCode', spec.resultCodes));
  out.push(
    'export const RESULT_CODES: readonly { readonly name: string; readonly value: number; readonly text: string }[] = [',
    ...spec.resultCodes.map(
      (r) => `  { name: 'FWV_${r.name}', value: ${r.value}, text: ${JSON.stringify(r.text)} },`,
    ),
    '];',
    '',
  );
  out.push(tsEnum('Algorithm', spec.algorithms));
  out.push(tsEnum('KeyType', spec.keyTypes));
  out.push(
    'export const ALGORITHMS = [',
    ...spec.algorithms.map(
      (a) =>
        `  { id: ${a.value}, name: '${a.name}', jobDocumentKey: '${a.jobDocumentKey}', signatureAlgorithm: '${a.signatureAlgorithm}', keyType: ${spec.keyTypes.find((k) => k.name === a.keyType)?.value} },`,
    ),
    '] as const;',
    '',
  );
  out.push(
    'export const TRUST_ANCHOR_TABLE = {',
    `  magic: ${hex32(t.magic).slice(0, -1)},`,
    `  version: ${t.version},`,
    `  maxEntries: ${t.maxEntries},`,
    `  headerSize: ${t.headerSize},`,
    `  entrySize: ${t.entrySize},`,
    `  nameSize: ${t.nameSize},`,
    `  keySize: ${t.keySize},`,
    `  crcSize: ${t.crcSize},`,
    '  header: {',
    tsOffsets(t.header),
    '  },',
    '  entry: {',
    tsOffsets(t.entry),
    '  },',
    '} as const;',
    '',
  );
  out.push(`export const SMP_HEADER_SIZE = ${spec.smp.headerSize};`, '');
  out.push(tsEnum('SmpOp', spec.smp.ops));
  out.push(tsEnum('SmpGroup', spec.smp.groups));
  for (const group of spec.smp.groups)
    out.push(tsEnum(`Smp${pascal(group.name)}Command`, group.commands));
  out.push(tsEnum('SmpError', spec.smp.errors));
  out.push(tsEnum('SmpImageError', spec.smp.imageErrors));
  const mi = spec.mcubootImage;
  out.push(
    'export const MCUBOOT_IMAGE = {',
    `  magic: 0x${mi.magic.toString(16)},`,
    `  headerSize: ${mi.headerSize},`,
    `  tlvInfoMagic: 0x${mi.tlvInfoMagic.toString(16)},`,
    `  protectedTlvInfoMagic: 0x${mi.protectedTlvInfoMagic.toString(16)},`,
    '} as const;',
    '',
  );
  out.push(tsEnum('McubootTlv', mi.tlvs));
  out.push(
    'export const CONSOLE_FRAMING = {',
    `  firstLineMarker: [${spec.console.firstLineMarker.join(', ')}],`,
    `  continuationMarker: [${spec.console.continuationMarker.join(', ')}],`,
    `  maxLineLength: ${spec.console.maxLineLength},`,
    '} as const;',
    '',
  );
  return out.join('\n');
}

function cDefines(prefix: string, items: readonly NamedValue[]): string[] {
  return items.map((i) => `#define ${prefix}${i.name} ${i.value}`);
}

function cFieldDefines(prefix: string, fields: readonly FieldSpec[]): string[] {
  return fields.flatMap((f) => [
    `#define ${prefix}${upperSnake(f.name)}_OFFSET ${f.offset}`,
    `#define ${prefix}${upperSnake(f.name)}_SIZE ${fieldSize(f)}`,
  ]);
}

export function renderCHeader(spec: ProtocolSpec): string {
  validateSpec(spec);
  const t = spec.trustAnchorTable;
  const out: string[] = [
    `/* ${BANNER} */`,
    '#ifndef FWV_PROTOCOL_H',
    '#define FWV_PROTOCOL_H',
    '',
    '/* Result codes: every verifier entry point returns one of these, never a bare boolean. */',
    'typedef enum {',
    ...spec.resultCodes.map((r) => `    FWV_${r.name} = ${r.value},`),
    '} fwv_result;',
    `#define FWV_RESULT_COUNT ${spec.resultCodes.length}`,
    '/* X-macro over (code, text) so a .c file can build name and text tables. */',
    '#define FWV_RESULT_LIST(X) \\',
    ...spec.resultCodes.map(
      (r, i) =>
        `    X(FWV_${r.name}, ${JSON.stringify(r.text)})${i + 1 < spec.resultCodes.length ? ' \\' : ''}`,
    ),
    '',
    '/* Signature algorithms, by the job document key that names them. */',
    ...spec.algorithms.flatMap((a) => [
      `#define FWV_ALG_${a.name} ${a.value}`,
      `#define FWV_ALG_${a.name}_KEY "${a.jobDocumentKey}"`,
      `#define FWV_ALG_${a.name}_KEY_TYPE FWV_KEY_${a.keyType}`,
    ]),
    ...cDefines('FWV_KEY_', spec.keyTypes),
    '',
    '/* Trust-anchor table: little-endian header, fixed-size entries, CRC-32 (zlib) over both. */',
    `#define FWV_TA_MAGIC ${hex32(t.magic)} /* "${t.magicText}" */`,
    `#define FWV_TA_VERSION ${t.version}`,
    `#define FWV_TA_MAX_ENTRIES ${t.maxEntries}`,
    `#define FWV_TA_HEADER_SIZE ${t.headerSize}`,
    `#define FWV_TA_ENTRY_SIZE ${t.entrySize}`,
    `#define FWV_TA_NAME_SIZE ${t.nameSize}`,
    `#define FWV_TA_KEY_SIZE ${t.keySize}`,
    `#define FWV_TA_CRC_SIZE ${t.crcSize}`,
    ...cFieldDefines('FWV_TA_HDR_', t.header),
    ...cFieldDefines('FWV_TA_ENTRY_', t.entry),
    '',
    '/* SMP (MCUmgr) header, ops, groups, commands and error codes. */',
    `#define FWV_SMP_HEADER_SIZE ${spec.smp.headerSize}`,
    ...cDefines('FWV_SMP_OP_', spec.smp.ops),
    ...cDefines('FWV_SMP_GROUP_', spec.smp.groups),
    ...spec.smp.groups.flatMap((g) => cDefines(`FWV_SMP_${g.name}_`, g.commands)),
    ...cDefines('FWV_SMP_ERR_', spec.smp.errors),
    ...cDefines('FWV_SMP_IMG_ERR_', spec.smp.imageErrors),
    '',
    "/* MCUboot's image format: header, TLV info magics, TLV types (fwsign's own among them). */",
    `#define FWV_MCUBOOT_MAGIC ${hex32(spec.mcubootImage.magic)}`,
    `#define FWV_MCUBOOT_HEADER_SIZE ${spec.mcubootImage.headerSize}`,
    `#define FWV_MCUBOOT_TLV_INFO_MAGIC ${hex32(spec.mcubootImage.tlvInfoMagic)}`,
    `#define FWV_MCUBOOT_PROT_TLV_INFO_MAGIC ${hex32(spec.mcubootImage.protectedTlvInfoMagic)}`,
    ...cDefines('FWV_MCUBOOT_TLV_', spec.mcubootImage.tlvs),
    '',
    '/* SMP over a serial console: line markers and the longest line. */',
    `#define FWV_CONSOLE_FIRST_0 ${spec.console.firstLineMarker[0]}`,
    `#define FWV_CONSOLE_FIRST_1 ${spec.console.firstLineMarker[1]}`,
    `#define FWV_CONSOLE_CONT_0 ${spec.console.continuationMarker[0]}`,
    `#define FWV_CONSOLE_CONT_1 ${spec.console.continuationMarker[1]}`,
    `#define FWV_CONSOLE_MAX_LINE ${spec.console.maxLineLength}`,
    '',
    '#endif /* FWV_PROTOCOL_H */',
    '',
  ];
  return out.join('\n');
}
