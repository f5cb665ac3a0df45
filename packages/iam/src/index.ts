export type { Principal, AuthzRequest, ResourceFacts, Decision, DenyReason } from './types.js';
export { authorize } from './authorize.js';
export { IamAuthError, type IamAuthErrorCode } from './errors.js';
export { denialMessage, type PolicyKind } from './messages.js';
export {
  simulate,
  type SimulationInput,
  type SimulationPolicy,
  type SourcePolicyType,
  type ContextEntry,
  type EvaluationResult,
  type MatchedStatement,
} from './simulate.js';
