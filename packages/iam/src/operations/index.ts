import { IamAuthError } from '../errors.js';
import type { AuthzRequest } from '../types.js';
import type { OperationMapper } from './mapper.js';
import { acmOperations } from './acm.js';
import { fwsignOperations } from './fwsign.js';
import { iamOperations } from './iam.js';
import { s3Operations } from './s3.js';
import { signerOperations } from './signer.js';
import { stsOperations } from './sts.js';

const TABLES: Record<AuthzRequest['service'], Record<string, OperationMapper>> = {
  signer: signerOperations,
  acm: acmOperations,
  s3: s3Operations,
  iam: iamOperations,
  sts: stsOperations,
  fwsign: fwsignOperations,
};

/** The mapping of one served operation, or UnknownOperation. */
export function mapperFor(service: AuthzRequest['service'], operation: string): OperationMapper {
  const table = TABLES[service];
  const m = table && Object.hasOwn(table, operation) ? table[operation] : undefined;
  if (!m)
    throw new IamAuthError(
      'UnknownOperation',
      `${service}:${operation}: expected one of the operations fwsign serves (${Object.keys(table ?? {}).join(', ')}), got one with no authorization mapping`,
    );
  return m;
}

/** Every operation with a mapping, per service. */
export function mappedOperations(): Record<AuthzRequest['service'], string[]> {
  return Object.fromEntries(Object.entries(TABLES).map(([s, t]) => [s, Object.keys(t)])) as Record<
    AuthzRequest['service'],
    string[]
  >;
}
