/** The AWS CLI's flag for a member: camelCase → kebab-case (botocore's xform_name). */
export const flagName = (member: string): string =>
  member
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
