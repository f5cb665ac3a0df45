import { fileURLToPath } from 'node:url';

/** Where the data file and both generated files live, relative to this package. */
export const PROTOCOL_JSON_PATH = fileURLToPath(new URL('../protocol.json', import.meta.url));
export const GENERATED_TS_PATH = fileURLToPath(new URL('./generated.ts', import.meta.url));
export const GENERATED_C_HEADER_PATH = fileURLToPath(
  new URL('../../../firmware-verifier/include/fwv/protocol.h', import.meta.url),
);
