import type { Principal } from '@fwsign/iam';
import type { IamStore } from '@fwsign/store';
import { accessDenied, enforce } from './authz.js';
import type { Identity } from './credentials.js';
import { ApiError } from './errors.js';
import { iamModel, stsModel } from './model/load.js';
import { lowerFirst } from './model/encode.js';
import type { Operation, ServiceModel } from './model/types.js';
import { decodeQueryInput, encodeQueryOutput } from './query.js';
import type { ApiStore } from './server-options.js';
import { simulateCall } from './iam-simulate.js';

/** The IAM operations served: the store's (by wire name) and the two simulations. */
const IAM_OPERATIONS = new Set([
  ...['User', 'Group', 'Role'].flatMap((e) => [
    `Put${e}Policy`,
    `Get${e}Policy`,
    `List${e}Policies`,
    `Delete${e}Policy`,
    `Attach${e}Policy`,
    `Detach${e}Policy`,
    `ListAttached${e}Policies`,
  ]),
  ...['CreateUser', 'GetUser', 'ListUsers', 'DeleteUser', 'TagUser', 'UntagUser', 'ListUserTags'],
  ...['CreateAccessKey', 'ListAccessKeys', 'UpdateAccessKey', 'DeleteAccessKey'],
  ...['CreateGroup', 'GetGroup', 'ListGroups', 'DeleteGroup'],
  ...['AddUserToGroup', 'RemoveUserFromGroup', 'ListGroupsForUser'],
  ...['CreatePolicy', 'GetPolicy', 'ListPolicies', 'DeletePolicy'],
  ...['CreatePolicyVersion', 'GetPolicyVersion', 'ListPolicyVersions', 'DeletePolicyVersion'],
  'SetDefaultPolicyVersion',
  'ListEntitiesForPolicy',
  ...['CreateRole', 'GetRole', 'ListRoles', 'DeleteRole', 'UpdateAssumeRolePolicy'],
  ...['User', 'Role'].flatMap((e) => [
    `Put${e}PermissionsBoundary`,
    `Delete${e}PermissionsBoundary`,
  ]),
  'SimulatePrincipalPolicy',
  'SimulateCustomPolicy',
]);
const STS_OPERATIONS = new Set(['AssumeRole', 'GetCallerIdentity']);

/** Operations that act on the caller when UserName is left out (GetUser, the access-key calls). */
const SELF_OPERATIONS = new Set([
  'GetUser',
  'CreateAccessKey',
  'ListAccessKeys',
  'UpdateAccessKey',
  'DeleteAccessKey',
]);

export interface QueryCall {
  store: ApiStore;
  principal: Principal & { userId?: string; userName?: string };
  id: Identity;
  region: string;
  requestId: string;
}

/** The operation a query request names by `Action`, checked against what is served and the model's `Version`. */
function queryOperation(service: 'iam' | 'sts', params: Record<string, string>): Operation {
  const model = service === 'iam' ? iamModel : stsModel;
  const served = service === 'iam' ? IAM_OPERATIONS : STS_OPERATIONS;
  const action = params.Action;
  if (action === undefined || !served.has(action) || !Object.hasOwn(model.operations, action))
    throw new ApiError(
      'InvalidAction',
      400,
      `The action ${action ?? '(none)'} is not valid for this web service: ${service.toUpperCase()} serves ${[...served].join(', ')}`,
    );
  const version = model.metadata.apiVersion!;
  if (params.Version !== undefined && params.Version !== version)
    throw new ApiError('InvalidAction', 400, `Version expected ${version}, got ${params.Version}`);
  return model.operations[action]!;
}

/** Serves one IAM or STS call: decode by the model, authorize, call the store, encode its answer. */
export async function handleQuery(
  service: 'iam' | 'sts',
  call: QueryCall,
  params: Record<string, string>,
): Promise<string> {
  const iam = call.store.iam?.asCaller(call.principal.arn);
  if (!iam)
    throw new ApiError(
      'InvalidAction',
      400,
      `${service.toUpperCase()} is not served by this store`,
    );
  const model: ServiceModel = service === 'iam' ? iamModel : stsModel;
  const op = queryOperation(service, params);
  const input = decodeQueryInput(model, op, params);
  await enforce(call.store, call.principal, call.id, {
    service,
    operation: op.name,
    input,
    region: call.region,
  });
  const out =
    service === 'sts'
      ? await sts(iam, call, op.name, input)
      : await iamCall(iam, call, op.name, input);
  return encodeQueryOutput(model, op, out, call.requestId);
}

async function iamCall(
  iam: IamStore,
  call: QueryCall,
  name: string,
  input: Record<string, unknown>,
): Promise<unknown> {
  const account = call.principal.accountId;
  if (name === 'SimulatePrincipalPolicy' || name === 'SimulateCustomPolicy')
    return simulateCall(iam, account, call.principal.arn, name, input);
  // The one untyped step: `input` was decoded by this operation's input shape in botocore's IAM
  // model, whose member names the store's functions take.
  const fn = iam[lowerFirst(name) as keyof IamStore] as (
    a: string,
    i: unknown,
    self?: string,
  ) => Promise<unknown>;
  return SELF_OPERATIONS.has(name)
    ? fn(account, input, call.principal.userName)
    : fn(account, input);
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]+)$/;

async function sts(
  iam: IamStore,
  call: QueryCall,
  name: string,
  input: Record<string, unknown>,
): Promise<unknown> {
  const p = call.principal;
  if (name === 'GetCallerIdentity')
    return { UserId: p.kind === 'root' ? p.accountId : p.userId, Account: p.accountId, Arn: p.arn };
  const arn = input.RoleArn as string;
  const m = ROLE_ARN.exec(arn);
  if (!m)
    throw new ApiError(
      'ValidationError',
      400,
      `RoleArn expected arn:aws:iam::<account>:role/<name>, got ${arn}`,
    );
  // AWS: "Roles may not be assumed by root accounts." (Root keys are for administering IAM.)
  if (p.kind === 'root')
    throw accessDenied(
      'sts',
      `User: ${p.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn}: Roles may not be assumed by root accounts.`,
    );
  // Decoded by AssumeRoleRequest: RoleSessionName and Policy are strings, DurationSeconds a number.
  const i = input as { RoleSessionName: string; DurationSeconds?: number; Policy?: string };
  return iam.createSession(m[1]!, {
    RoleName: m[2]!,
    RoleSessionName: i.RoleSessionName,
    ...(i.DurationSeconds !== undefined ? { DurationSeconds: i.DurationSeconds } : {}),
    ...(i.Policy !== undefined ? { Policy: i.Policy } : {}),
  });
}
