// upgrades-core's validation error kinds (the compiler tier) → Patchline rule ids. Where a parser
// rule covers the same problem the id is the same, so the faces show one diagnostic, not two;
// the rest become `oz-<kind>` with OpenZeppelin's documentation.
import type { Severity } from '../findings';

export type OzValidationKind =
  | 'constructor'
  | 'delegatecall'
  | 'selfdestruct'
  | 'state-variable-assignment'
  | 'state-variable-immutable'
  | 'missing-public-upgradeto'
  | 'internal-function-storage'
  | 'external-library-linking'
  | 'enum-definition'
  | 'struct-definition'
  | 'missing-initializer'
  | 'missing-initializer-call'
  | 'duplicate-initializer-call'
  | 'incorrect-initializer-order';

export interface OzRuleMapping {
  rule: string;
  severity: Severity;
  /** OpenZeppelin's page for kinds without a Patchline rule (ours link to docs/rules/<id>.md). */
  docs?: string;
}

const OZ_DOCS = 'https://docs.openzeppelin.com/upgrades-plugins/faq';

const MAPPING: Record<OzValidationKind, OzRuleMapping> = {
  constructor: { rule: 'init-constructor', severity: 'error' },
  delegatecall: { rule: 'unsafe-delegatecall', severity: 'error' },
  selfdestruct: { rule: 'unsafe-selfdestruct', severity: 'error' },
  'state-variable-assignment': { rule: 'init-state-assignment', severity: 'error' },
  'state-variable-immutable': { rule: 'init-immutable', severity: 'warning' },
  // upgrades-core reports it when validating as UUPS: the same fault as a UUPS baseline whose new version dropped upgradeToAndCall.
  'missing-public-upgradeto': { rule: 'upgrade-missing-uups', severity: 'error' },
  // "no initializer although parents need one": init-parent-not-called reports it on the contract.
  'missing-initializer': { rule: 'init-parent-not-called', severity: 'error' },
  'missing-initializer-call': { rule: 'init-parent-not-called', severity: 'error' },
  'duplicate-initializer-call': { rule: 'init-parent-duplicate', severity: 'error' },
  'incorrect-initializer-order': { rule: 'init-parent-order', severity: 'warning' },
  'internal-function-storage': { rule: 'oz-internal-function-storage', severity: 'error', docs: 'https://zpl.in/upgrades/error-009' },
  'external-library-linking': { rule: 'oz-external-library-linking', severity: 'error', docs: 'https://zpl.in/upgrades/error-006' },
  'enum-definition': { rule: 'oz-enum-definition', severity: 'error', docs: `${OZ_DOCS}#what-does-it-mean-for-an-implementation-to-be-compatible` },
  'struct-definition': { rule: 'oz-struct-definition', severity: 'error', docs: `${OZ_DOCS}#what-does-it-mean-for-an-implementation-to-be-compatible` },
};

/** The Patchline rule for an upgrades-core error kind; unknown kinds become `oz-<kind>`. */
export function ruleForOzKind(kind: string): OzRuleMapping {
  return MAPPING[kind as OzValidationKind] ?? { rule: `oz-${kind}`, severity: 'error', docs: OZ_DOCS };
}

/** Every kind upgrades-core 1.46 reports. */
export const OZ_VALIDATION_KINDS = Object.keys(MAPPING) as OzValidationKind[];
