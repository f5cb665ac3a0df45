/**
 * The AWS CLI's pagination on list verbs (botocore's PageIterator): follow nextToken to the end,
 * or stop at `--max-items` and print a NextToken that `--starting-token` (ours or the AWS CLI's)
 * resumes from. The token is botocore's: base64 of `{"nextToken": …, "boto_truncate_amount": n}`,
 * the service token of the page to fetch again and how many of its items were already printed.
 */
import { callSigner, signerModel, type ClientConfig } from '@fwsign/api';
import { UsageError } from '../../args.js';

const MAX_PAGES = 10_000;

interface Resume {
  nextToken: string | null;
  boto_truncate_amount?: number;
}

/** botocore's TokenEncoder: json.dumps (", " and ": " separators) then base64. */
export function encodeToken(t: Resume): string {
  const body = [
    `"nextToken": ${JSON.stringify(t.nextToken)}`,
    ...(t.boto_truncate_amount !== undefined
      ? [`"boto_truncate_amount": ${t.boto_truncate_amount}`]
      : []),
  ].join(', ');
  return Buffer.from(`{${body}}`, 'utf8').toString('base64');
}

/** botocore's TokenDecoder, then its deprecated form (the raw token, "___N" for a truncation). */
export function decodeToken(text: string): { token: string | undefined; skip: number } {
  try {
    const doc = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as Partial<Resume>;
    if (doc && typeof doc === 'object' && 'nextToken' in doc) {
      const skip = doc.boto_truncate_amount ?? 0;
      if (!Number.isSafeInteger(skip) || skip < 0)
        throw new UsageError(`--starting-token: boto_truncate_amount is not a count: ${skip}`);
      return { token: doc.nextToken ?? undefined, skip };
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  const m = /^(.*)___(\d+)$/.exec(text);
  return m ? { token: m[1] || undefined, skip: Number(m[2]) } : { token: text, skip: 0 };
}

function positive(flags: Map<string, string[]>, name: string): number | undefined {
  const v = flags.get(name)?.[0];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new UsageError(`--${name} expected a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

export async function callPaginated(
  config: ClientConfig,
  operation: string,
  input: Record<string, unknown>,
  flags: Map<string, string[]>,
): Promise<Record<string, unknown>> {
  const op = signerModel.operations[operation]!;
  const inMembers = op.input ? (signerModel.shapes[op.input.shape]!.members ?? {}) : {};
  const outMembers = op.output ? (signerModel.shapes[op.output.shape]!.members ?? {}) : {};
  const listKeys = Object.entries(outMembers)
    .filter(([, r]) => signerModel.shapes[r.shape]!.type === 'list')
    .map(([k]) => k);
  const paginated =
    'nextToken' in inMembers &&
    'nextToken' in outMembers &&
    listKeys.length === 1 &&
    !flags.has('no-paginate');
  if (!paginated) return callSigner(config, operation, input);
  const listKey = listKeys[0]!;
  const maxItems = positive(flags, 'max-items');
  const pageSize = positive(flags, 'page-size');
  const starting = flags.get('starting-token')?.[0];
  let { token, skip } = starting
    ? decodeToken(starting)
    : { token: input.nextToken as string | undefined, skip: 0 };
  const items: unknown[] = [];
  let last: Record<string, unknown> = {};
  let resume: Resume | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    last = await callSigner(config, operation, {
      ...input,
      ...(pageSize !== undefined && 'maxResults' in inMembers ? { maxResults: pageSize } : {}),
      ...(token ? { nextToken: token } : {}),
    });
    const pageItems = ((last[listKey] as unknown[] | undefined) ?? []).slice(skip);
    if (maxItems !== undefined && items.length + pageItems.length > maxItems) {
      const take = maxItems - items.length;
      items.push(...pageItems.slice(0, take));
      // Stopped inside this page: fetch it again next time and skip what was printed.
      resume = { nextToken: token ?? null, boto_truncate_amount: skip + take };
      break;
    }
    items.push(...pageItems);
    skip = 0;
    token = last.nextToken as string | undefined;
    if (!token) break;
    if (maxItems !== undefined && items.length >= maxItems) {
      resume = { nextToken: token };
      break;
    }
  }
  const { nextToken: _ignored, ...rest } = last;
  return { ...rest, [listKey]: items, ...(resume ? { NextToken: encodeToken(resume) } : {}) };
}
