import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCHeader, renderTypeScript } from '../src/codegen.js';
import { GENERATED_C_HEADER_PATH, GENERATED_TS_PATH, PROTOCOL_JSON_PATH } from '../src/paths.js';
import type { ProtocolSpec } from '../src/spec.js';
import { validateSpec } from '../src/spec.js';

const spec = JSON.parse(readFileSync(PROTOCOL_JSON_PATH, 'utf8')) as ProtocolSpec;

describe('generated files match protocol.json', () => {
  it('src/generated.ts is up to date (run `pnpm generate`)', () => {
    expect(readFileSync(GENERATED_TS_PATH, 'utf8')).toBe(renderTypeScript(spec));
  });
  it('firmware-verifier/include/fwv/protocol.h is up to date (run `pnpm generate`)', () => {
    expect(readFileSync(GENERATED_C_HEADER_PATH, 'utf8')).toBe(renderCHeader(spec));
  });
});

describe('protocol.json self-consistency', () => {
  it('accepts the committed data file', () => {
    expect(() => validateSpec(spec)).not.toThrow();
  });
  it('rejects an entry layout with a gap, naming the field', () => {
    const broken = structuredClone(spec) as unknown as {
      trustAnchorTable: { entry: { offset: number }[] };
    };
    broken.trustAnchorTable.entry[3]!.offset += 1;
    expect(() => validateSpec(broken as unknown as ProtocolSpec)).toThrow(
      /trustAnchorTable\.entry\.name expected at offset 4, got 5/,
    );
  });
  it('rejects a repeated result code value', () => {
    const broken = structuredClone(spec) as unknown as { resultCodes: { value: number }[] };
    broken.resultCodes[2]!.value = 1;
    expect(() => validateSpec(broken as unknown as ProtocolSpec)).toThrow(
      /resultCodes repeats the value 1/,
    );
  });
});
