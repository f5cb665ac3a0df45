/**
 * The FreeRTOS OTA job document of a signing job, built in the browser by the engine's own pure
 * builder (the same one `fwsign ota-job-document` uses) from the signed object's bytes.
 */
import { buildOtaJobDocument } from '@fwsign/signing-engine/ota-job-document';
import { parseSignedObject } from '@fwsign/signing-engine/signed-object';

export function otaJobDocumentText(
  signed: Uint8Array,
  file: { filepath: string; certfile: string; streamname: string },
): string {
  const doc = buildOtaJobDocument({
    files: [{ signedObject: parseSignedObject(signed), ...file }],
  });
  return `${JSON.stringify(doc, null, 2)}\n`;
}
