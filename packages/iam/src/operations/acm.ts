/**
 * The ACM subset fwsign serves (ImportCertificate, DescribeCertificate, ListCertificates,
 * DeleteCertificate) → acm: actions on the certificate resource
 * (arn:aws:acm:REGION:ACCT:certificate/ID, aws:ResourceTag/…). A first import names no certificate
 * yet: like AWS, it is authorized on the account's certificate/* with the tags it sends.
 */
import { requestTagContext, tagsSent } from '../access.js';
import { requireMember, optionalMember } from '../errors.js';
import type { AuthzRequest } from '../types.js';
import {
  accountOfArn,
  anyResource,
  check,
  resourceWithFacts,
  type OperationMapper,
} from './mapper.js';

const onCertificate =
  (action: string): OperationMapper =>
  async (r, f) => {
    const arn = requireMember(r.input, 'CertificateArn');
    return check(action, [await resourceWithFacts(f, arn, accountOfArn(arn), { tags: true })]);
  };

function newCertificates(r: AuthzRequest): string {
  return `arn:aws:acm:${r.region}:${r.accountId}:certificate/*`;
}

export const acmOperations: Record<string, OperationMapper> = {
  ImportCertificate: async (r, f) => {
    const reimport = optionalMember(r.input, 'CertificateArn');
    const tags = requestTagContext(tagsSent(r.requestTags, r.input['Tags']));
    if (reimport === undefined)
      return check(
        'acm:ImportCertificate',
        [{ arn: newCertificates(r), accountId: r.accountId, context: {} }],
        tags,
      );
    return check(
      'acm:ImportCertificate',
      [await resourceWithFacts(f, reimport, accountOfArn(reimport), { tags: true })],
      tags,
    );
  },
  DescribeCertificate: onCertificate('acm:DescribeCertificate'),
  ListCertificates: async (r) => check('acm:ListCertificates', [anyResource(r.accountId)]),
  DeleteCertificate: onCertificate('acm:DeleteCertificate'),
};
