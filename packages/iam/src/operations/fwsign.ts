/**
 * fwsign's own routes: the transparency log under /_fwsign/audit/. Each read is an action of its
 * own (`fwsign:<operation>`) on the account's log, `arn:aws:fwsign:<region>:<account>:audit-log/default`
 * — every account sees its own entries of the one log, as CloudTrail gives each account its trail.
 * No condition keys beyond the global ones.
 */
import { check, type OperationMapper } from './mapper.js';

/** The ARN of an account's view of the transparency log. */
const auditLogArn = (region: string, accountId: string): string =>
  `arn:aws:fwsign:${region}:${accountId}:audit-log/default`;

const auditRead =
  (operation: string): OperationMapper =>
  async (r) =>
    check(`fwsign:${operation}`, [
      { arn: auditLogArn(r.region, r.accountId), accountId: r.accountId, context: {} },
    ]);

export const fwsignOperations: Record<string, OperationMapper> = {
  GetAuditCheckpoint: auditRead('GetAuditCheckpoint'),
  GetAuditConsistencyProof: auditRead('GetAuditConsistencyProof'),
  GetAuditInclusionProof: auditRead('GetAuditInclusionProof'),
  ListAuditEntries: auditRead('ListAuditEntries'),
};
