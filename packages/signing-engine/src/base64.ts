/** Incremental and strict base64 (RFC 4648 §4, padded), for images too large to encode in one string. */

/**
 * Encodes a sequence of chunks as one base64 text, carrying the 0-2 bytes that do not fill a group.
 * The carry is copied (a Buffer's `slice` would be a view): a reader may refill its buffer next.
 */
export class Base64Encoder {
  private carry = new Uint8Array(0);

  /** Returns the base64 of every complete 3-byte group seen so far that has not been returned yet. */
  push(chunk: Uint8Array): string {
    let data = chunk;
    if (this.carry.length > 0) {
      const need = Math.min(3 - this.carry.length, data.length);
      const head = new Uint8Array(this.carry.length + need);
      head.set(this.carry);
      head.set(data.subarray(0, need), this.carry.length);
      data = data.subarray(need);
      if (head.length < 3) {
        this.carry = head;
        return '';
      }
      this.carry = new Uint8Array(0);
      const rest = data.length - (data.length % 3);
      const out = encode(head) + encode(data.subarray(0, rest));
      this.carry = Uint8Array.from(data.subarray(rest));
      return out;
    }
    const whole = data.length - (data.length % 3);
    this.carry = Uint8Array.from(data.subarray(whole));
    return encode(data.subarray(0, whole));
  }

  /** The final group, padded. */
  end(): string {
    const out = encode(this.carry);
    this.carry = new Uint8Array(0);
    return out;
  }
}

function encode(bytes: Uint8Array): string {
  return bytes.length === 0
    ? ''
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function base64Length(n: number): number {
  return 4 * Math.ceil(n / 3);
}

/**
 * Decodes canonical padded base64 or returns undefined: no whitespace, no URL alphabet, length a
 * multiple of 4, zero bits before the padding — checked by re-encoding and comparing, which is
 * strict by construction and (over 22 MB) several times faster than a validating regex.
 */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const buf = Buffer.from(text, 'base64');
  if (buf.toString('base64') !== text) return undefined;
  // Small results live in Buffer's shared pool; copy them so callers own their whole ArrayBuffer.
  return buf.length < 4096
    ? Uint8Array.from(buf)
    : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
