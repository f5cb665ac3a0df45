/** Regenerates src/generated.ts and firmware-verifier/include/fwv/protocol.h from protocol.json. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderCHeader, renderTypeScript } from '../src/codegen.js';
import { GENERATED_C_HEADER_PATH, GENERATED_TS_PATH, PROTOCOL_JSON_PATH } from '../src/paths.js';
import type { ProtocolSpec } from '../src/spec.js';

const spec = JSON.parse(readFileSync(PROTOCOL_JSON_PATH, 'utf8')) as ProtocolSpec;
for (const [path, text] of [
  [GENERATED_TS_PATH, renderTypeScript(spec)],
  [GENERATED_C_HEADER_PATH, renderCHeader(spec)],
] as const) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}
