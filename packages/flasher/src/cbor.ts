/**
 * CBOR bodies as MCUboot's and Zephyr's zcbor decoders accept them: definite-length maps with text
 * keys, integers as CBOR integers, byte strings untagged. cbor-x's defaults differ on each point
 * (records, 16-bit map headers, tag 64 on Uint8Array, float64 above 2^32), hence this wrapper.
 */
import { Encoder } from 'cbor-x';
import { FlasherError } from './errors.js';

const codec = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  tagUint8Array: false,
});

export type CborValue =
  | string
  | number
  | bigint
  | boolean
  | Uint8Array
  | null
  | CborValue[]
  | { [key: string]: CborValue | undefined };
export type CborMap = { [key: string]: CborValue | undefined };

/** Integers beyond 32 bits become BigInt so cbor-x writes them as CBOR integers, not floats. */
function normalise(value: CborValue | undefined): CborValue | undefined {
  if (typeof value === 'number') {
    if (!Number.isInteger(value))
      throw new RangeError(`encodeCbor: SMP bodies hold integers only, got ${value}`);
    return value > 0xffffffff || value < -0x80000000 ? BigInt(value) : value;
  }
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => normalise(v) as CborValue);
  const out: CborMap = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = normalise(v);
  return out;
}

export function encodeCbor(map: CborMap): Uint8Array {
  const bytes = codec.encode(normalise(map));
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes an SMP body; anything but a map is a protocol error. */
export function decodeCborMap(bytes: Uint8Array): CborMap {
  if (bytes.length === 0) return {};
  let value: unknown;
  try {
    value = codec.decode(bytes);
  } catch (err) {
    throw new FlasherError(
      'ProtocolError',
      `SMP body: expected CBOR, got ${bytes.length} bytes that do not decode (${(err as Error).message})`,
    );
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    value instanceof Uint8Array ||
    value instanceof Map
  ) {
    throw new FlasherError(
      'ProtocolError',
      `SMP body: expected a CBOR map, got ${Array.isArray(value) ? 'array' : typeof value}`,
    );
  }
  return value as CborMap;
}

/** Bytes of the CBOR byte-string header for a string of `n` bytes. */
export function cborBstrHeaderSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}
