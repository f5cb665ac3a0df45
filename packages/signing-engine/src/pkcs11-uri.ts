/**
 * RFC 7512 PKCS#11 URIs: `pkcs11:token=fwsign;object=release-key?pin-source=file:/etc/pin`. The
 * path names a token and an object (attributes joined by ";"), the query says how to reach them
 * (module-path, pin-source, pin-value; joined by "&"). Values are percent-encoded UTF-8, except
 * `id`, which is bytes. Attributes may not repeat (RFC 7512 §2.3); ones the RFC does not define
 * are kept as vendor attributes and otherwise ignored, as §2.4 allows.
 */
import { TokenError } from './token-errors.js';

export type Pkcs11ObjectType = 'public' | 'private' | 'cert' | 'secret-key' | 'data';

export interface Pkcs11Uri {
  token?: string;
  manufacturer?: string;
  serial?: string;
  model?: string;
  libraryManufacturer?: string;
  libraryDescription?: string;
  libraryVersion?: string;
  object?: string;
  type?: Pkcs11ObjectType;
  /** CKA_ID, raw bytes. */
  id?: Uint8Array;
  slotDescription?: string;
  slotManufacturer?: string;
  slotId?: number;
  /** Where the PIN is: `file:/path` (or a plain absolute path). */
  pinSource?: string;
  /** The PIN itself; never stored: the store refuses URIs that carry one. */
  pinValue?: string;
  moduleName?: string;
  modulePath?: string;
  /** Attributes RFC 7512 does not define, by name, decoded. */
  vendor: Record<string, string>;
}

type StringKey = Exclude<keyof Pkcs11Uri, 'type' | 'id' | 'slotId' | 'vendor'>;

const PATH_ATTRS: Record<string, StringKey | 'type' | 'id' | 'slotId'> = {
  token: 'token',
  manufacturer: 'manufacturer',
  serial: 'serial',
  model: 'model',
  'library-manufacturer': 'libraryManufacturer',
  'library-description': 'libraryDescription',
  'library-version': 'libraryVersion',
  object: 'object',
  type: 'type',
  id: 'id',
  'slot-description': 'slotDescription',
  'slot-manufacturer': 'slotManufacturer',
  'slot-id': 'slotId',
};
const QUERY_ATTRS: Record<string, StringKey> = {
  'pin-source': 'pinSource',
  'pin-value': 'pinValue',
  'module-name': 'moduleName',
  'module-path': 'modulePath',
};
const OBJECT_TYPES: readonly Pkcs11ObjectType[] = [
  'public',
  'private',
  'cert',
  'secret-key',
  'data',
];

/**
 * What may appear unencoded: RFC 3986's unreserved characters, RFC 7512's pk11-path-res-avail /
 * pk11-query-res-avail, "%" of an escape and the separator (";" in the path, "&" in the query).
 */
const PATH_CHARS = /^[A-Za-z0-9\-._~:[\]@!$'()*+,=&%;]*$/;
const QUERY_CHARS = /^[A-Za-z0-9\-._~:[\]@!$'()*+,=/?|%&]*$/;
const NAME = /^[a-z0-9-]+$/;

function invalid(message: string): never {
  throw new TokenError('InvalidUri', `PKCS#11 URI: ${message}`);
}

function percentDecode(raw: string, attr: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c !== 0x25) {
      out.push(c);
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex))
      invalid(`"${attr}" has a malformed escape: expected % and two hex digits, got "%${hex}"`);
    out.push(parseInt(hex, 16));
    i += 2;
  }
  return Uint8Array.from(out);
}

function utf8(bytes: Uint8Array, attr: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return invalid(`"${attr}" is not UTF-8 once percent-decoded`);
  }
}

function attributes(part: string, sep: string, where: string): Array<[string, string]> {
  if (part === '') return [];
  return part.split(sep).map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (eq <= 0 || !NAME.test(name))
      invalid(`${where} attribute expected name=value, got ${JSON.stringify(pair.slice(0, 60))}`);
    return [name, pair.slice(eq + 1)];
  });
}

/** Parses an RFC 7512 URI; a TokenError('InvalidUri') names what is wrong and where. */
export function parsePkcs11Uri(text: string): Pkcs11Uri {
  if (typeof text !== 'string' || !text.toLowerCase().startsWith('pkcs11:'))
    invalid(`expected a URI starting "pkcs11:", got ${JSON.stringify(String(text).slice(0, 40))}`);
  const rest = text.slice('pkcs11:'.length);
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : rest.slice(q + 1);
  if (!PATH_CHARS.test(path)) invalid('the path has a character that must be percent-encoded');
  if (!QUERY_CHARS.test(query)) invalid('the query has a character that must be percent-encoded');
  const uri: Pkcs11Uri = { vendor: {} };
  const seen = new Set<string>();
  const take = (name: string, where: string): void => {
    if (seen.has(name)) invalid(`"${name}" appears more than once in the ${where}`);
    seen.add(name);
  };
  for (const [name, raw] of attributes(path, ';', 'path')) {
    take(name, 'path');
    const key = PATH_ATTRS[name];
    const bytes = percentDecode(raw, name);
    if (key === 'id') uri.id = bytes;
    else if (key === 'type') {
      const t = utf8(bytes, name) as Pkcs11ObjectType;
      if (!OBJECT_TYPES.includes(t))
        invalid(`"type" expected one of ${OBJECT_TYPES.join(', ')}, got ${JSON.stringify(t)}`);
      uri.type = t;
    } else if (key === 'slotId') {
      const s = utf8(bytes, name);
      if (!/^\d{1,15}$/.test(s)) invalid(`"slot-id" expected a decimal number, got "${s}"`);
      uri.slotId = Number(s);
    } else if (key) uri[key] = utf8(bytes, name);
    else uri.vendor[name] = utf8(bytes, name);
  }
  for (const [name, raw] of attributes(query, '&', 'query')) {
    take(name, 'query');
    const key = QUERY_ATTRS[name];
    const value = utf8(percentDecode(raw, name), name);
    if (key) uri[key] = value;
    else uri.vendor[name] = value;
  }
  return uri;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function encode(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += UNRESERVED.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The URI's path only, canonical (fixed attribute order, everything outside RFC 3986's unreserved
 * set percent-encoded): what the store keeps. Query attributes (module, PIN) never leave the
 * process that was given them.
 */
export function formatPkcs11UriPath(uri: Pkcs11Uri): string {
  const parts: string[] = [];
  for (const [name, key] of Object.entries(PATH_ATTRS)) {
    const v = uri[key];
    if (v === undefined) continue;
    const bytes =
      v instanceof Uint8Array ? v : new TextEncoder().encode(typeof v === 'number' ? `${v}` : v);
    parts.push(`${name}=${encode(bytes)}`);
  }
  return `pkcs11:${parts.join(';')}`;
}

/** `token "fwsign", object "release-key"`: how messages name a key, without query attributes. */
export function describeKeyRef(uri: Pkcs11Uri): string {
  const parts: string[] = [];
  if (uri.token !== undefined) parts.push(`token ${JSON.stringify(uri.token)}`);
  if (uri.serial !== undefined) parts.push(`serial ${JSON.stringify(uri.serial)}`);
  if (uri.object !== undefined) parts.push(`object ${JSON.stringify(uri.object)}`);
  if (uri.id !== undefined) parts.push(`id ${Buffer.from(uri.id).toString('hex')}`);
  return parts.length ? parts.join(', ') : 'the first token';
}
