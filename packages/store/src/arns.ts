/** ARNs of the resources the store keeps; the formats are AWS's own. */
export function profileArn(region: string, account: string, name: string): string {
  return `arn:aws:signer:${region}:${account}:/signing-profiles/${name}`;
}

export function profileVersionArn(
  region: string,
  account: string,
  name: string,
  version: string,
): string {
  return `${profileArn(region, account, name)}/${version}`;
}

export function jobArn(region: string, account: string, jobId: string): string {
  return `arn:aws:signer:${region}:${account}:/signing-jobs/${jobId}`;
}

export function certificateArn(region: string, account: string, id: string): string {
  return `arn:aws:acm:${region}:${account}:certificate/${id}`;
}

const PROFILE_ARN =
  /^arn:aws:signer:([a-z0-9-]+):([0-9]{12}):\/signing-profiles\/([a-zA-Z0-9_]{2,64})(?:\/([a-zA-Z0-9]{10}))?$/;
const JOB_ARN = /^arn:aws:signer:([a-z0-9-]+):([0-9]{12}):\/signing-jobs\/([0-9a-f-]{36})$/;
const CERT_ARN = /^arn:aws:acm:([a-z0-9-]+):([0-9]{12}):certificate\/([0-9a-f-]{36})$/;

export interface ParsedProfileArn {
  region: string;
  account: string;
  name: string;
  version?: string;
}

export function parseProfileArn(arn: string): ParsedProfileArn | undefined {
  const m = PROFILE_ARN.exec(arn);
  if (!m) return undefined;
  return { region: m[1]!, account: m[2]!, name: m[3]!, ...(m[4] ? { version: m[4] } : {}) };
}

export function parseJobArn(
  arn: string,
): { region: string; account: string; jobId: string } | undefined {
  const m = JOB_ARN.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, jobId: m[3]! } : undefined;
}

export function parseCertificateArn(
  arn: string,
): { region: string; account: string; id: string } | undefined {
  const m = CERT_ARN.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, id: m[3]! } : undefined;
}
