/** What an evaluation takes (the caller's policies) and gives (its verdict), for both evaluators: AWS's actions (evaluate.ts) and fwsign's own (own-actions.ts). */
import type { RequestAnalysis } from '@cloud-copilot/iam-simulate';
import type { PolicyKind } from './messages.js';

/** The policies in force for the caller, parsed. */
export interface PolicySet {
  identity: { name: string; policy: object }[];
  boundary?: { name: string; policy: object };
  session?: object;
}

export interface Verdict {
  result: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
  /** The kind of policy the denial is attributed to (undefined when allowed). */
  kind?: PolicyKind;
  analysis: RequestAnalysis;
  /** Context keys given but not applicable to this action and resource type. */
  ignoredContextKeys: string[];
}
