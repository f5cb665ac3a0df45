export { seededRandom, seedFromEnv } from './random.js';
export { makeCodeSigningCertificate, type CodeSigningCertificate } from './certificate.js';
export {
  startPostgres,
  postgresBinDir,
  postgresSkipReason,
  type PostgresServer,
} from './postgres.js';
