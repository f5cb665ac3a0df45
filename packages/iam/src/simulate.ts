/**
 * iam:SimulatePrincipalPolicy and iam:SimulateCustomPolicy: the same evaluator as authorize(),
 * over the policies and context the caller supplies, one result per action × resource in the shape
 * of IAM's EvaluationResult. As IAM's simulator does, it takes the context only from ContextEntries
 * (nothing is filled in from the request), and names in MissingContextValues the condition keys of
 * statements that apply to the action and resource but that no entry supplied.
 */
import { isWildcardOnlyAction, type RequestAnalysis } from '@cloud-copilot/iam-simulate';
import type { ContextValue } from './access.js';
import { IamAuthError, describe } from './errors.js';
import { evaluate, type PolicySet } from './evaluate.js';
import { isOwnAction } from './own-actions.js';
import { parsePolicy } from './policies.js';

/** IAM's ContextEntry. */
export interface ContextEntry {
  ContextKeyName: string;
  ContextKeyValues: string[];
  ContextKeyType:
    | 'string'
    | 'stringList'
    | 'numeric'
    | 'numericList'
    | 'boolean'
    | 'booleanList'
    | 'ip'
    | 'ipList'
    | 'binary'
    | 'binaryList'
    | 'date'
    | 'dateList';
}

/** IAM's PolicySourceType. */
export type SourcePolicyType =
  'user' | 'group' | 'role' | 'aws-managed' | 'user-managed' | 'resource' | 'none';

/** A policy taking part in a simulation, with the id and type IAM reports it under. */
export interface SimulationPolicy {
  document: string;
  /** The inline policy's name, the managed policy's ARN, or PolicyInputList.N (the default). */
  id?: string;
  type?: SourcePolicyType;
}

export interface SimulationInput {
  /** The simulated caller: CallerArn, else PolicySourceArn (SimulatePrincipalPolicy). */
  callerArn: string;
  /** The account of the caller (and of the resources unless resourceOwner says otherwise). */
  accountId: string;
  /** The identity policies: the source's policies in force plus PolicyInputList. */
  policies: SimulationPolicy[];
  /** PermissionsBoundaryPolicyInputList (or the source's boundary). */
  permissionsBoundaries?: string[];
  actionNames: string[];
  /** ResourceArns; ['*'] when absent. */
  resourceArns?: string[];
  resourcePolicy?: string;
  /** ResourceOwner: an account ID or an account's ARN. */
  resourceOwner?: string;
  contextEntries?: ContextEntry[];
}

/** IAM's Statement (a matched statement's source). */
export interface MatchedStatement {
  SourcePolicyId: string;
  SourcePolicyType?: SourcePolicyType;
}

/** IAM's EvaluationResult. */
export interface EvaluationResult {
  EvalActionName: string;
  EvalResourceName: string;
  EvalDecision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  MatchedStatements: MatchedStatement[];
  MissingContextValues: string[];
  PermissionsBoundaryDecisionDetail?: { AllowedByPermissionsBoundary: boolean };
}

const LIST_TYPES = new Set([
  'stringList',
  'numericList',
  'booleanList',
  'ipList',
  'binaryList',
  'dateList',
]);
const ACCOUNT = /^(?:\d{12}|arn:aws:iam::(\d{12}):root)$/;
const DECISION = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicitDeny',
  ImplicitlyDenied: 'implicitDeny',
} as const;

/** Runs each action on each resource; results in ActionNames × ResourceArns order. */
export async function simulate(input: SimulationInput): Promise<EvaluationResult[]> {
  const owner = resourceOwnerOf(input);
  const context = contextOf(input.contextEntries ?? []);
  const ids = input.policies.map((p, i) => p.id ?? `PolicyInputList.${i + 1}`);
  const policies: PolicySet = {
    identity: input.policies.map((p, i) => ({
      name: ids[i]!,
      policy: parsePolicy(p.document, ids[i]!),
    })),
  };
  const boundaries = input.permissionsBoundaries ?? [];
  if (boundaries.length > 0) {
    // Several boundary inputs: each must allow, which is what one policy holding all their
    // statements would not say; IAM takes at most one boundary per entity, so keep the first.
    policies.boundary = {
      name: 'PermissionsBoundaryPolicyInputList.1',
      policy: parsePolicy(boundaries[0]!, 'PermissionsBoundaryPolicyInputList.1'),
    };
  }
  const resourcePolicy =
    input.resourcePolicy !== undefined
      ? parsePolicy(input.resourcePolicy, 'ResourcePolicy')
      : undefined;
  const out: EvaluationResult[] = [];
  for (const action of input.actionNames) {
    const [service, name] = splitAction(action);
    // fwsign's own actions are in no reference; each acts on a resource (own-actions.ts).
    const wildcardOnly = isOwnAction(action) ? false : await isWildcardOnlyAction(service, name);
    for (const arn of input.resourceArns?.length ? input.resourceArns : ['*']) {
      const v = await evaluate(
        input.callerArn,
        action,
        { arn: wildcardOnly ? '*' : arn, accountId: owner, context: {} },
        context,
        policies,
        resourcePolicy,
      ).catch((e: unknown) => {
        // No statement can apply an action to a resource of a type it does not act on.
        if (e instanceof IamAuthError && e.code === 'ResourceTypeMismatch') return undefined;
        throw e;
      });
      if (!v) {
        out.push({
          EvalActionName: action,
          EvalResourceName: arn,
          EvalDecision: 'implicitDeny',
          MatchedStatements: [],
          MissingContextValues: [],
        });
        continue;
      }
      out.push({
        EvalActionName: action,
        EvalResourceName: arn,
        EvalDecision: DECISION[v.result],
        MatchedStatements: matched(v.analysis, v.result, ids, input.policies),
        MissingContextValues: missing(v.analysis, context),
        ...(policies.boundary
          ? {
              PermissionsBoundaryDecisionDetail: {
                AllowedByPermissionsBoundary:
                  v.analysis.permissionBoundaryAnalysis?.result === 'Allowed',
              },
            }
          : {}),
      });
    }
  }
  return out;
}

function splitAction(action: string): [string, string] {
  const m = /^([a-z0-9-]+):([A-Za-z0-9]+)$/.exec(action);
  if (!m)
    throw new IamAuthError(
      'InvalidInput',
      `ActionNames: expected service:Action, got ${describe(action)}`,
    );
  return [m[1]!, m[2]!];
}

function resourceOwnerOf(input: SimulationInput): string {
  if (input.resourceOwner === undefined) return input.accountId;
  const m = ACCOUNT.exec(input.resourceOwner);
  if (!m)
    throw new IamAuthError(
      'InvalidInput',
      `ResourceOwner: expected an account ID or arn:aws:iam::<account>:root, got ${describe(input.resourceOwner)}`,
    );
  return m[1] ?? input.resourceOwner;
}

/** ContextEntries as the evaluator takes them: lists for the *List types, one value otherwise. */
function contextOf(entries: ContextEntry[]): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const e of entries) {
    if (!Array.isArray(e.ContextKeyValues) || e.ContextKeyValues.length === 0)
      throw new IamAuthError(
        'InvalidInput',
        `ContextEntries: expected at least one value for ${describe(e.ContextKeyName)}, got none`,
      );
    out[e.ContextKeyName] = LIST_TYPES.has(e.ContextKeyType)
      ? e.ContextKeyValues
      : e.ContextKeyValues[0]!;
  }
  return out;
}

/** The statements that decided: the denying ones for a deny, else the allowing ones. */
function matched(
  a: RequestAnalysis,
  result: keyof typeof DECISION,
  ids: string[],
  inputs: SimulationPolicy[],
): MatchedStatement[] {
  if (result === 'ImplicitlyDenied') return [];
  const pick = result === 'ExplicitlyDenied' ? 'denyStatements' : 'allowStatements';
  const out: MatchedStatement[] = [];
  for (const s of a.identityAnalysis?.[pick] ?? []) {
    const i = ids.indexOf(s.policyId ?? '');
    out.push({
      SourcePolicyId: s.policyId ?? '',
      ...(inputs[i]?.type ? { SourcePolicyType: inputs[i].type } : {}),
    });
  }
  for (const _ of a.resourceAnalysis?.[pick] ?? [])
    out.push({ SourcePolicyId: 'ResourcePolicy', SourcePolicyType: 'resource' });
  // One entry per policy, as IAM lists them.
  return out.filter((m, i) => out.findIndex((n) => n.SourcePolicyId === m.SourcePolicyId) === i);
}

/** Condition keys of statements that apply to the action and resource, absent from the context. */
function missing(a: RequestAnalysis, context: Record<string, ContextValue>): string[] {
  const given = new Set(Object.keys(context).map((k) => k.toLowerCase()));
  const keys = new Set<string>();
  const analyses = [a.identityAnalysis, a.resourceAnalysis, a.permissionBoundaryAnalysis];
  for (const an of analyses)
    for (const s of [
      ...(an?.allowStatements ?? []),
      ...(an?.denyStatements ?? []),
      ...(an?.unmatchedStatements ?? []),
    ]) {
      if (!s.actionMatch || !s.resourceMatch) continue;
      for (const c of s.statement.conditions()) {
        const key = c.conditionKey();
        if (!given.has(key.toLowerCase())) keys.add(key);
      }
    }
  return [...keys];
}
