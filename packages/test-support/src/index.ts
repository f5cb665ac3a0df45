export { seededRandom, seedFromEnv } from './random.js';
export { makeCodeSigningCertificate, type CodeSigningCertificate } from './certificate.js';
