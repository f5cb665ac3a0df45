/** The IAM store tests' account and policy documents. */
export const A = '111111111111';

/** Allows StartSigningJob on every profile. */
export const ALLOW_SIGN = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'signer:StartSigningJob', Resource: '*' }],
});

/** A trust policy letting the account's root assume the role. */
export const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' },
  ],
});
