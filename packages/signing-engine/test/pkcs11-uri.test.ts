import { describe, expect, it } from 'vitest';
import { describeKeyRef, formatPkcs11UriPath, parsePkcs11Uri, TokenError } from '../src/index.js';

/** The examples of RFC 7512 §3.3, verbatim. */
const RFC_EXAMPLES = [
  'pkcs11:',
  'pkcs11:object=my-pubkey;type=public',
  'pkcs11:object=my-key;type=private?pin-source=file:/etc/token',
  'pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin',
  'pkcs11:object=my-sign-key;type=private?module-name=mypkcs11',
  'pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1',
  'pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin',
  'pkcs11:slot-description=Sun%20Metaslot',
  'pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20Library;library-version=1.23',
  'pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;id=%01%02%03%Ba%dd%Ca%fe%04%05%06',
  'pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert',
  'pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert',
  'pkcs11:token=my-token;object=my-certificate;type=cert;vendor-aaa=value-a?pin-source=file:/etc/token_pin&vendor-bbb=value-b',
];

function refusal(text: string): string {
  try {
    parsePkcs11Uri(text);
  } catch (err) {
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).code).toBe('InvalidUri');
    return (err as Error).message;
  }
  throw new Error(`${text} parsed`);
}

describe('RFC 7512 PKCS#11 URIs', () => {
  it('parses every example of RFC 7512 §3.3', () => {
    for (const text of RFC_EXAMPLES) expect(() => parsePkcs11Uri(text), text).not.toThrow();
  });

  it('decodes the RFC’s full example: names, an empty serial, id bytes and the pin-source', () => {
    const u = parsePkcs11Uri(RFC_EXAMPLES[3]!);
    expect(u.token).toBe('The Software PKCS#11 Softtoken');
    expect(u.manufacturer).toBe('Snake Oil, Inc.');
    expect(u.model).toBe('1.0');
    expect(u.object).toBe('my-certificate');
    expect(u.type).toBe('cert');
    expect(Buffer.from(u.id!).toString('hex')).toBe('69953e5cf4bdec91');
    expect(u.serial).toBe('');
    expect(u.pinSource).toBe('file:/etc/token_pin');
  });

  it('reads module-path, pin-value, percent-encoded UTF-8 and vendor attributes', () => {
    expect(parsePkcs11Uri(RFC_EXAMPLES[5]!).modulePath).toBe('/mnt/libmypkcs11.so.1');
    expect(parsePkcs11Uri(RFC_EXAMPLES[6]!).pinValue).toBe('the-pin');
    expect(parsePkcs11Uri(RFC_EXAMPLES[9]!).token).toBe('My token% created by Joe');
    expect(Buffer.from(parsePkcs11Uri(RFC_EXAMPLES[9]!).id!).toString('hex')).toBe(
      '010203baddcafe040506',
    );
    expect(parsePkcs11Uri(RFC_EXAMPLES[10]!).token).toBe('A name with a substring %;');
    expect(parsePkcs11Uri(RFC_EXAMPLES[11]!).token).toBe('Name with a small A with acute: á');
    expect(parsePkcs11Uri(RFC_EXAMPLES[12]!).vendor).toEqual({
      'vendor-aaa': 'value-a',
      'vendor-bbb': 'value-b',
    });
    expect(parsePkcs11Uri('pkcs11:slot-id=42').slotId).toBe(42);
  });

  it('refuses what RFC 7512 does not allow, naming the problem', () => {
    expect(refusal('pkcs12:token=x')).toMatch(/expected a URI starting "pkcs11:"/);
    expect(refusal('pkcs11:token=a;token=b')).toMatch(/"token" appears more than once/);
    expect(refusal('pkcs11:token=a%2')).toMatch(/malformed escape.*"%2"/);
    expect(refusal('pkcs11:token=a%zz')).toMatch(/malformed escape/);
    expect(refusal('pkcs11:token=two words')).toMatch(/must be percent-encoded/);
    expect(refusal('pkcs11:type=secret')).toMatch(/"type" expected one of public, private/);
    expect(refusal('pkcs11:token')).toMatch(/expected name=value/);
    expect(refusal('pkcs11:token=%C3%28')).toMatch(/not UTF-8/);
  });

  it('formats the path canonically and never the query (module, PIN)', () => {
    const u = parsePkcs11Uri(
      'pkcs11:object=release%20key;token=fw,sign;id=%01%ff?pin-value=1234&module-path=/x.so',
    );
    const path = formatPkcs11UriPath(u);
    expect(path).toBe('pkcs11:token=fw%2Csign;object=release%20key;id=%01%FF');
    expect(path).not.toContain('1234');
    const again = parsePkcs11Uri(path);
    expect(again.token).toBe('fw,sign');
    expect(again.object).toBe('release key');
    expect(Buffer.from(again.id!).toString('hex')).toBe('01ff');
    expect(describeKeyRef(u)).toBe('token "fw,sign", object "release key", id 01ff');
  });
});
