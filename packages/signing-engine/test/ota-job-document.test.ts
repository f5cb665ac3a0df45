import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EngineError,
  buildOtaJobDocument,
  parseOtaJobDocument,
  parseSignedObject,
  resolveEffectiveConfiguration,
  signPayload,
  signerFromPrivateKey,
} from '../src/index.js';
import { ecKeyPair, rsaKeyPair } from './helpers.js';

const ecSigned = parseSignedObject(
  (
    await signPayload({
      config: resolveEffectiveConfiguration('AmazonFreeRTOS-Default'),
      signer: signerFromPrivateKey(ecKeyPair().privateKeyPem),
      payload: new Uint8Array(randomBytes(1234)),
    })
  ).signedObject,
);
const rsaSigned = parseSignedObject(
  (
    await signPayload({
      config: resolveEffectiveConfiguration('AmazonFreeRTOS-TI-CC3220SF'),
      signer: signerFromPrivateKey(rsaKeyPair().privateKeyPem),
      payload: new Uint8Array(99),
    })
  ).signedObject,
);

function jobError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('MalformedJobDocument');
    return (err as EngineError).message;
  }
  throw new Error('expected a MalformedJobDocument error');
}

describe('buildOtaJobDocument', () => {
  it('builds the afr_ota document AWS IoT creates for an MQTT stream', () => {
    const doc = buildOtaJobDocument({
      files: [
        {
          signedObject: ecSigned,
          filepath: '/ota/app.bin',
          certfile: '/certs/codesign.crt',
          streamname: 'AFR_OTA-1234',
        },
      ],
    });
    expect(JSON.stringify(doc)).toBe(
      `{"afr_ota":{"protocols":["MQTT"],"streamname":"AFR_OTA-1234","files":[{"filepath":"/ota/app.bin","filesize":1234,"fileid":0,"certfile":"/certs/codesign.crt","fileType":0,"sig-sha256-ecdsa":"${Buffer.from(ecSigned.signature).toString('base64')}"}]}}`,
    );
  });

  it('names the RSA signature sig-sha1-rsa and carries HTTP fields, fileType and several files', () => {
    const doc = buildOtaJobDocument({
      protocols: ['HTTP'],
      files: [
        {
          signedObject: rsaSigned,
          filepath: 'app',
          certfile: '/certs/cc.crt',
          fileType: 0,
          updateDataUrl: 'https://s3.example/app?X-Amz-Signature=1',
          authScheme: 'aws.s3.presigned',
        },
        {
          signedObject: ecSigned,
          filepath: 'cfg',
          certfile: '/certs/codesign.crt',
          fileid: 7,
          fileType: 3,
        },
      ],
    });
    const files = doc.afr_ota.files as Record<string, unknown>[];
    expect(files[0]).toEqual({
      filepath: 'app',
      filesize: 99,
      fileid: 0,
      certfile: '/certs/cc.crt',
      fileType: 0,
      update_data_url: 'https://s3.example/app?X-Amz-Signature=1',
      auth_scheme: 'aws.s3.presigned',
      'sig-sha1-rsa': Buffer.from(rsaSigned.signature).toString('base64'),
    });
    expect(files[1]).toMatchObject({
      fileid: 7,
      fileType: 3,
      'sig-sha256-ecdsa': Buffer.from(ecSigned.signature).toString('base64'),
    });
    const parsed = parseOtaJobDocument(JSON.stringify(doc));
    expect(parsed.protocols).toEqual(['HTTP']);
    expect(parsed.files[0]).toMatchObject({
      filesize: 99,
      signatureKey: 'sig-sha1-rsa',
      auth_scheme: 'aws.s3.presigned',
    });
    expect(Buffer.from(parsed.files[0]!.signature!).equals(Buffer.from(rsaSigned.signature))).toBe(
      true,
    );
  });

  it('refuses two stream names, no files and unknown protocols', () => {
    expect(() => buildOtaJobDocument({ files: [] })).toThrow(
      'buildOtaJobDocument: "files" expected at least one file, got none',
    );
    expect(() =>
      buildOtaJobDocument({
        files: [
          { signedObject: ecSigned, filepath: 'a', certfile: 'c', streamname: 's1' },
          { signedObject: ecSigned, filepath: 'b', certfile: 'c', streamname: 's2' },
        ],
      }),
    ).toThrow(/one streamname per job/);
    expect(() =>
      buildOtaJobDocument({
        protocols: ['FTP' as 'MQTT'],
        files: [{ signedObject: ecSigned, filepath: 'a', certfile: 'c' }],
      }),
    ).toThrow(/"protocols" expected a non-empty list of MQTT, HTTP/);
  });

  it("checks the stream name as the OTA agent's MQTT topics need it, and refuses MQTT without one", () => {
    const build = (streamname?: string, protocols?: ('MQTT' | 'HTTP')[]) =>
      buildOtaJobDocument({
        ...(protocols ? { protocols } : {}),
        files: [
          {
            signedObject: ecSigned,
            filepath: 'a',
            certfile: 'c',
            ...(streamname !== undefined ? { streamname } : {}),
          },
        ],
      });
    const aws = `AFR_OTA-${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`;
    expect(aws).toHaveLength(44);
    expect(build(aws).afr_ota.streamname).toBe(aws);
    expect(() => build(`${aws}x`)).toThrow(
      "buildOtaJobDocument: streamname expected at most 44 characters (the OTA agent's topic buffer; AWS IoT names streams AFR_OTA-<uuid>), got 45",
    );
    for (const c of ['#', '+', '/'])
      expect(() => build(`AFR_OTA${c}1`)).toThrow(
        `streamname expected no MQTT topic characters (#, +, /), got "${c}"`,
      );
    expect(() => build()).toThrow(
      'buildOtaJobDocument: the MQTT protocol expected a streamname (AWS IoT names them AFR_OTA-<uuid>), got none',
    );
    expect(build(undefined, ['HTTP']).afr_ota.streamname).toBeUndefined();
  });

  it('writes "fileType": 0 when none is given, and refuses one outside 0..255', () => {
    const doc = (fileType?: number) =>
      buildOtaJobDocument({
        protocols: ['HTTP'],
        files: [
          {
            signedObject: ecSigned,
            filepath: 'a',
            certfile: 'c',
            ...(fileType !== undefined ? { fileType } : {}),
          },
        ],
      });
    expect((doc().afr_ota.files as { fileType: number }[])[0]!.fileType).toBe(0);
    expect((doc(255).afr_ota.files as { fileType: number }[])[0]!.fileType).toBe(255);
    expect(() => doc(256)).toThrow('files[0].fileType expected an integer 0..255, got 256');
  });
});

describe('parseOtaJobDocument (as the FreeRTOS OTA agent checks it)', () => {
  const sig = Buffer.from(ecSigned.signature).toString('base64');
  const file = { filepath: 'a', filesize: 10, fileid: 0, certfile: 'c', 'sig-sha256-ecdsa': sig };
  const doc = (f: unknown, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ afr_ota: { protocols: ['MQTT'], streamname: 's', files: [f], ...extra } });

  it('accepts the document and the job execution message around it', () => {
    expect(parseOtaJobDocument(doc(file)).files[0]).toMatchObject({
      filesize: 10,
      fileid: 0,
      certfile: 'c',
      signatureKey: 'sig-sha256-ecdsa',
    });
    const execution = { execution: { jobId: 'j1', jobDocument: JSON.parse(doc(file)) } };
    expect(parseOtaJobDocument(execution).streamname).toBe('s');
  });

  it('requires protocols, files, filesize and fileid', () => {
    expect(jobError(() => parseOtaJobDocument({}))).toBe(
      'OTA job document: afr_ota expected an object, got none',
    );
    expect(jobError(() => parseOtaJobDocument({ afr_ota: { files: [file] } }))).toBe(
      'OTA job document: afr_ota.protocols expected a non-empty array, got undefined',
    );
    expect(jobError(() => parseOtaJobDocument({ afr_ota: { protocols: ['MQTT'] } }))).toBe(
      'OTA job document: afr_ota.files expected a non-empty array, got undefined',
    );
    const { filesize: _s, ...noSize } = file;
    expect(jobError(() => parseOtaJobDocument(doc(noSize)))).toBe(
      'OTA job document: afr_ota.files[0].filesize is required',
    );
    const { fileid: _i, ...noId } = file;
    expect(jobError(() => parseOtaJobDocument(doc(noId)))).toBe(
      'OTA job document: afr_ota.files[0].fileid is required',
    );
    expect(jobError(() => parseOtaJobDocument(doc({ ...file, filesize: 2 ** 32 })))).toBe(
      'OTA job document: afr_ota.files[0].filesize expected an integer 0..4294967295, got 4294967296',
    );
    expect(jobError(() => parseOtaJobDocument(doc({ ...file, fileid: '0' })))).toContain(
      'fileid expected an integer',
    );
    expect(jobError(() => parseOtaJobDocument(doc({ ...file, certfile: 5 })))).toBe(
      'OTA job document: afr_ota.files[0].certfile expected a string, got number',
    );
    expect(jobError(() => parseOtaJobDocument('{'))).toMatch(/^OTA job document: expected JSON/);
    expect(
      jobError(() =>
        parseOtaJobDocument(doc(file).replace('"filesize":10', '"filesize":10,"filesize":99999')),
      ),
    ).toBe('OTA job document: key "filesize" appears twice in one object; expected each key once');
  });

  it('checks the signature: base64, at most 384 bytes decoded, a known key', () => {
    expect(
      parseOtaJobDocument(
        doc({ ...file, 'sig-sha256-ecdsa': Buffer.alloc(384, 1).toString('base64') }),
      ).files[0]!.signature!.length,
    ).toBe(384);
    expect(
      jobError(() =>
        parseOtaJobDocument(
          doc({ ...file, 'sig-sha256-ecdsa': Buffer.alloc(385, 1).toString('base64') }),
        ),
      ),
    ).toBe(
      'OTA job document: afr_ota.files[0].sig-sha256-ecdsa expected 1..384 bytes decoded, got 385',
    );
    expect(
      jobError(() => parseOtaJobDocument(doc({ ...file, 'sig-sha256-ecdsa': 'not base64!' }))),
    ).toBe(
      'OTA job document: afr_ota.files[0].sig-sha256-ecdsa expected base64, got text that is not',
    );
    expect(jobError(() => parseOtaJobDocument(doc({ ...file, 'sig-md5-rsa': sig })))).toMatch(
      /expected one signature key, got sig-sha256-ecdsa, sig-md5-rsa/,
    );
    const { 'sig-sha256-ecdsa': _x, ...unsigned } = file;
    expect(jobError(() => parseOtaJobDocument(doc({ ...unsigned, 'sig-md5-rsa': sig })))).toMatch(
      /sig-md5-rsa is not a signature key the OTA agent knows/,
    );
    expect(jobError(() => parseOtaJobDocument(doc(file, { protocols: ['FTP'] })))).toBe(
      'OTA job document: afr_ota.protocols entries expected MQTT or HTTP, got "FTP"',
    );
  });
});
