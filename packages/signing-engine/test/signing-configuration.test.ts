import { describe, expect, it } from 'vitest';
import { EngineError, resolveEffectiveConfiguration } from '../src/index.js';

function error(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('expected an EngineError');
}

describe('resolveEffectiveConfiguration', () => {
  it('takes the platform defaults', () => {
    const c = resolveEffectiveConfiguration('AmazonFreeRTOS-Default');
    expect(c).toMatchObject({
      encryptionAlgorithm: 'ECDSA',
      hashAlgorithm: 'SHA256',
      imageFormat: 'JSONEmbedded',
      signatureAlgorithm: 'SHA256withECDSA',
      maxSizeBytes: 16 * 1024 * 1024,
    });
    expect(c.platform.platformId).toBe('AmazonFreeRTOS-Default');
    expect(resolveEffectiveConfiguration('AmazonFreeRTOS-TI-CC3220SF')).toMatchObject({
      encryptionAlgorithm: 'RSA',
      hashAlgorithm: 'SHA1',
      signatureAlgorithm: 'SHA1withRSA',
      imageFormat: 'JSONEmbedded',
    });
    expect(resolveEffectiveConfiguration('AWSIoTDeviceManagement-SHA256-ECDSA')).toMatchObject({
      imageFormat: 'JSONDetached',
      maxSizeBytes: 2048 * 1024 * 1024,
    });
  });

  it('accepts overrides equal to allowed values', () => {
    const c = resolveEffectiveConfiguration('AmazonFreeRTOS-Default', {
      signingConfiguration: { encryptionAlgorithm: 'ECDSA', hashAlgorithm: 'SHA256' },
      signingImageFormat: 'JSONEmbedded',
    });
    expect(c.signatureAlgorithm).toBe('SHA256withECDSA');
  });

  it('refuses an override outside the allowed values, naming the field and the allowed values', () => {
    let e = error(() =>
      resolveEffectiveConfiguration('AmazonFreeRTOS-Default', {
        signingConfiguration: { encryptionAlgorithm: 'RSA' },
      }),
    );
    expect(e.code).toBe('ValidationException');
    expect(e.message).toBe(
      'signingConfiguration.encryptionAlgorithm: expected one of [ECDSA], got "RSA"',
    );
    e = error(() =>
      resolveEffectiveConfiguration('AmazonFreeRTOS-TI-CC3220SF', {
        signingConfiguration: { hashAlgorithm: 'SHA256' },
      }),
    );
    expect(e.message).toBe(
      'signingConfiguration.hashAlgorithm: expected one of [SHA1], got "SHA256"',
    );
    e = error(() =>
      resolveEffectiveConfiguration('AmazonFreeRTOS-Default', {
        signingImageFormat: 'JSONDetached',
      }),
    );
    expect(e.code).toBe('ValidationException');
    expect(e.message).toBe(
      'signingImageFormat: expected one of [JSONEmbedded], got "JSONDetached"',
    );
    e = error(() =>
      resolveEffectiveConfiguration('AmazonFreeRTOS-Default', { signingImageFormat: 'JSON' }),
    );
    expect(e.message).toContain('JSON is reserved');
    expect(e.message).toContain('expected one of [JSONEmbedded]');
  });

  it('refuses unknown and non-signable platforms by name', () => {
    let e = error(() => resolveEffectiveConfiguration('AWSLambda-SHA384-ECDSA'));
    expect(e.code).toBe('UnsupportedPlatform');
    expect(e.message).toContain('AWSLambda-SHA384-ECDSA');
    e = error(() => resolveEffectiveConfiguration('Notation-OCI-SHA384-ECDSA'));
    expect(e.code).toBe('UnsupportedPlatform');
    expect(e.message).toContain('Notation-OCI-SHA384-ECDSA');
    e = error(() => resolveEffectiveConfiguration('Acme-Unknown'));
    expect(e.code).toBe('UnsupportedPlatform');
    expect(e.message).toBe('platform "Acme-Unknown" is not a known signing platform');
  });
});
