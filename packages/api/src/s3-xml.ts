import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ApiError, NOT_XML_CHAR, notXmlChar, xmlEscape } from './errors.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A tiny XML writer: S3's responses are flat enough that a tree of [name, children] suffices. */
export type Node = [string, string | number | boolean | Node[] | undefined];

export function xmlDocument(root: string, children: Node[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${children.map(render).join('')}</${root}>`;
}

function render([name, value]: Node): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return `<${name}>${value.map(render).join('')}</${name}>`;
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

/**
 * The largest request document we parse. S3's configuration documents this server takes
 * (VersioningConfiguration) are a few hundred bytes; the bound keeps a hostile body's parse cost
 * small whatever the parser's complexity.
 */
export const MAX_XML_BYTES = 16 * 1024;
/** Deepest element nesting accepted (VersioningConfiguration is two levels deep). */
export const MAX_XML_DEPTH = 8;

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Decodes numeric character references; the DOCTYPE check below leaves no custom entities.
  htmlEntities: true,
  maxNestedTags: MAX_XML_DEPTH,
});

// An '&' that does not start one of XML's five predefined entities or a bounded character reference.
const BAD_REFERENCE = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)/;
const CHAR_REFERENCE = /&#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});/g;

/**
 * Parses an S3 request document with fast-xml-parser after checking what the parser does not:
 * its size, that it is well-formed XML 1.0 (no DTD, only predefined entities, character
 * references to XML characters) and that its root element is `root`. Returns the root's
 * children by local name (namespace prefixes dropped, as S3 ignores them).
 */
export function parseXmlDocument(body: Uint8Array, root: string): Record<string, unknown> {
  if (body.length > MAX_XML_BYTES) {
    throw new ApiError(
      'MaxMessageLengthExceeded',
      400,
      `Your request was too big: the ${root} document is ${body.length} bytes, at most ${MAX_XML_BYTES} are accepted.`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw malformed(root, 'the body is not valid UTF-8');
  }
  const bad = notXmlChar(text);
  if (bad) throw malformed(root, `${bad} is not an XML 1.0 character`);
  if (text.includes('<!DOCTYPE') || text.includes('<!ENTITY'))
    throw malformed(root, 'document type declarations are not accepted');
  const badRef = BAD_REFERENCE.exec(text);
  if (badRef) {
    throw malformed(
      root,
      `'${text.slice(badRef.index, badRef.index + 12)}' at offset ${badRef.index} is not a predefined entity or a character reference`,
    );
  }
  for (const m of text.matchAll(CHAR_REFERENCE)) {
    const ref = m[1]!;
    const cp = ref[0] === 'x' ? parseInt(ref.slice(1), 16) : parseInt(ref, 10);
    if (cp > 0x10ffff || NOT_XML_CHAR.test(String.fromCodePoint(cp)))
      throw malformed(
        root,
        `character reference '${m[0]}' at offset ${m.index} names U+${hex(cp)}, not an XML 1.0 character`,
      );
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw malformed(root, `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw malformed(root, (err as Error).message);
  }
  const roots = Object.keys(doc);
  if (roots.length !== 1 || roots[0] !== root)
    throw malformed(root, `expected one <${root}> root element, got ${roots.join(', ') || 'none'}`);
  const top = doc[root];
  return typeof top === 'object' && top !== null ? (top as Record<string, unknown>) : {};
}

function malformed(root: string, why: string): ApiError {
  return new ApiError(
    'MalformedXML',
    400,
    `The XML you provided was not well-formed or did not validate against our published schema: ${root}: ${why}.`,
  );
}

const hex = (cp: number): string => cp.toString(16).toUpperCase().padStart(4, '0');

/** S3 writes timestamps in bodies as ISO 8601 with milliseconds. */
export const isoDate = (d: Date): string => d.toISOString();
