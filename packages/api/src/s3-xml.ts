import { xmlEscape } from './errors.js';

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

/** The text of the first `<name>` element, for the few small request documents S3 clients send. */
export function xmlText(doc: string, name: string): string | undefined {
  const m = new RegExp(
    `<(?:[A-Za-z0-9]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[A-Za-z0-9]+:)?${name}>`,
  ).exec(doc);
  return m ? decodeEntities(m[1]!) : undefined;
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(
          e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10),
        );
    }
  });
}

/** S3 writes timestamps in bodies as ISO 8601 with milliseconds. */
export const isoDate = (d: Date): string => d.toISOString();
