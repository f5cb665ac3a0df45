/** Types for protocol.json, the data file both the TypeScript and the C side are generated from. */

export interface NamedValue {
  readonly name: string;
  readonly value: number;
}

export interface ResultCodeSpec extends NamedValue {
  readonly text: string;
}

export interface AlgorithmSpec extends NamedValue {
  readonly jobDocumentKey: string;
  readonly signatureAlgorithm: string;
  readonly keyType: string;
}

export interface FieldSpec {
  readonly name: string;
  readonly type: 'u8' | 'u16' | 'u32' | 'bytes';
  readonly offset: number;
  readonly size?: number;
}

export interface TrustAnchorTableSpec {
  readonly magic: number;
  readonly magicText: string;
  readonly version: number;
  readonly maxEntries: number;
  readonly header: readonly FieldSpec[];
  readonly headerSize: number;
  readonly entry: readonly FieldSpec[];
  readonly entrySize: number;
  readonly nameSize: number;
  readonly keySize: number;
  readonly crcSize: number;
}

export interface SmpGroupSpec extends NamedValue {
  readonly commands: readonly NamedValue[];
}

export interface ProtocolSpec {
  readonly resultCodes: readonly ResultCodeSpec[];
  readonly algorithms: readonly AlgorithmSpec[];
  readonly keyTypes: readonly NamedValue[];
  readonly trustAnchorTable: TrustAnchorTableSpec;
  readonly smp: {
    readonly headerSize: number;
    readonly ops: readonly NamedValue[];
    readonly groups: readonly SmpGroupSpec[];
    readonly errors: readonly NamedValue[];
    /** The image group's own codes (Zephyr's img_mgmt.h), sent to SMP v2 clients as err {group: 1, rc}. */
    readonly imageErrors: readonly NamedValue[];
  };
  readonly mcubootImage: {
    readonly magic: number;
    readonly headerSize: number;
    readonly tlvInfoMagic: number;
    readonly protectedTlvInfoMagic: number;
    readonly tlvs: readonly NamedValue[];
  };
  readonly console: {
    readonly firstLineMarker: readonly [number, number];
    readonly continuationMarker: readonly [number, number];
    readonly maxLineLength: number;
  };
}

const FIELD_SIZES = { u8: 1, u16: 2, u32: 4 } as const;

export function fieldSize(field: FieldSpec): number {
  return field.type === 'bytes' ? (field.size ?? 0) : FIELD_SIZES[field.type];
}

/** Checks the data file is self-consistent: fields tile their record with no gap or overlap, names and values are unique. */
export function validateSpec(spec: ProtocolSpec): void {
  const table = spec.trustAnchorTable;
  checkTiling('trustAnchorTable.header', table.header, table.headerSize);
  checkTiling('trustAnchorTable.entry', table.entry, table.entrySize);
  const magicFromText = Buffer.from(table.magicText, 'latin1').readUInt32LE(0);
  if (magicFromText !== table.magic) {
    throw new Error(
      `protocol.json: trustAnchorTable.magic expected ${magicFromText} (little-endian "${table.magicText}"), got ${table.magic}`,
    );
  }
  checkUnique('resultCodes', spec.resultCodes);
  checkUnique('algorithms', spec.algorithms);
  checkUnique('keyTypes', spec.keyTypes);
  checkUnique('smp.groups', spec.smp.groups);
  checkUnique('smp.errors', spec.smp.errors);
  checkUnique('smp.imageErrors', spec.smp.imageErrors);
  checkUnique('mcubootImage.tlvs', spec.mcubootImage.tlvs);
  for (const group of spec.smp.groups)
    checkUnique(`smp.groups.${group.name}.commands`, group.commands);
  for (const alg of spec.algorithms) {
    if (!spec.keyTypes.some((k) => k.name === alg.keyType)) {
      throw new Error(
        `protocol.json: algorithm ${alg.name} names keyType ${alg.keyType}, which keyTypes does not define`,
      );
    }
  }
}

function checkTiling(where: string, fields: readonly FieldSpec[], size: number): void {
  let next = 0;
  for (const field of fields) {
    if (field.offset !== next)
      throw new Error(
        `protocol.json: ${where}.${field.name} expected at offset ${next}, got ${field.offset}`,
      );
    next += fieldSize(field);
  }
  if (next !== size)
    throw new Error(
      `protocol.json: ${where} fields cover ${next} bytes, but the size says ${size}`,
    );
}

function checkUnique(where: string, items: readonly NamedValue[]): void {
  const names = new Set<string>();
  const values = new Set<number>();
  for (const item of items) {
    if (names.has(item.name))
      throw new Error(`protocol.json: ${where} repeats the name ${item.name}`);
    if (values.has(item.value))
      throw new Error(`protocol.json: ${where} repeats the value ${item.value}`);
    names.add(item.name);
    values.add(item.value);
  }
}
