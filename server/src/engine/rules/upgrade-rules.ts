// The initializer, upgrade, unsafe-operation and pause rules, and the one call the faces make:
// a file (with its imports resolved through the workspace) in, Findings out.
import * as path from 'node:path';
import { placeFindings, type Finding, type Tier } from '../findings';
import { HierarchyResolver, modelsOfParsedFile, type ContractHierarchy, type ContractModel } from '../model';
import { applySuppressionsByFile } from '../suppress';
import type { SolidityWorkspace } from '../workspace';
import { SymbolTable } from '../layout/symbols';
import { runRules, type Rule, type RuleSetting } from './rule';
import { initConstructor } from './init-constructor';
import { initImmutable } from './init-immutable';
import { initMissingModifier } from './init-missing-modifier';
import { initNotDisabled } from './init-not-disabled';
import { initParentDuplicate } from './init-parent-duplicate';
import { initParentNotCalled } from './init-parent-not-called';
import { initParentOrder } from './init-parent-order';
import { initReinitializerVersion } from './init-reinitializer-version';
import { initStateAssignment } from './init-state-assignment';
import { pauseMissing } from './pause-missing';
import { pauseNewUnguarded } from './pause-new-unguarded';
import { pauseNotExposed } from './pause-not-exposed';
import { pauseUnguarded } from './pause-unguarded';
import { pauseUnprotected } from './pause-unprotected';
import { selectorClash } from './selector-clash';
import { unsafeDelegatecall } from './unsafe-delegatecall';
import { unsafeSelfdestruct } from './unsafe-selfdestruct';
import { CallGraph, DEFAULT_ADMIN_MODIFIERS, isPausable, isUpgradeable, type UpgradeRuleContext } from './upgrade-context';
import { upgradeMissingUups } from './upgrade-missing-uups';
import { upgradeUnprotected } from './upgrade-unprotected';

export const upgradeRules: readonly Rule<UpgradeRuleContext>[] = [
  initConstructor,
  initNotDisabled,
  initMissingModifier,
  initParentNotCalled,
  initParentDuplicate,
  initParentOrder,
  initReinitializerVersion,
  initStateAssignment,
  initImmutable,
  upgradeUnprotected,
  upgradeMissingUups,
  unsafeSelfdestruct,
  unsafeDelegatecall,
  selectorClash,
  pauseUnguarded,
  pauseNewUnguarded,
  pauseUnprotected,
  pauseNotExposed,
  pauseMissing,
];

/** Where the deployed version of a contract is: a file and the contract's name in it. */
export interface BaselineLocation {
  file: string;
  contract: string;
}

export interface CheckUpgradeSafetyInput {
  /** Absolute path of the edited file. */
  file: string;
  /** Resolves imports and supplies texts (editor buffers first). */
  workspace: SolidityWorkspace;
  /** The edited file's text, when the caller holds it; default: the workspace's (buffer, then disk). */
  text?: string;
  /**
   * The baseline of a contract of this file. Without it (or when it returns undefined) a
   * `@custom:oz-upgrades-from <Name | path:Name>` annotation on the contract is followed.
   */
  baselineOf?: (contract: string) => BaselineLocation | undefined;
  /** Whether a contract of this file has a storage baseline from any source (it is then deployed behind a proxy). */
  hasBaseline?: (contract: string) => boolean;
  settings?: Readonly<Record<string, RuleSetting>>;
  /** `patchline.pause.adminModifiers`; default: onlyOwner, onlyRole, onlyAdmin, onlyGovernance, onlyGuardian, onlyProxy. */
  adminModifiers?: readonly string[];
  tier?: Tier;
  /** A symbol table of this run (e.g. the storage layout's) to share; a new one otherwise. */
  symbols?: SymbolTable;
  onError?: (ruleId: string, error: unknown) => void;
}

/** Every upgrade-safety finding of one file (parser tier), after `patchline-disable-next-line` comments. */
export function checkUpgradeSafety(input: CheckUpgradeSafetyInput): Finding[] {
  const file = path.resolve(input.file);
  const parsed = input.text !== undefined ? input.workspace.parseText(file, input.text) : input.workspace.parse(file);
  if (!parsed?.ast) return [];
  const resolver = new HierarchyResolver(input.workspace, input.symbols);
  const contracts = modelsOfParsedFile(parsed).filter((c) => c.kind === 'contract' || c.kind === 'abstract');
  const hierarchies = contracts.map((c) => resolver.hierarchy(c));
  const upgradeable = (h: ContractHierarchy) => isUpgradeable(h) || input.hasBaseline?.(h.contract.name) === true;
  const checked = hierarchies.filter((h) => upgradeable(h) || isPausable(h));
  const checkedOnTheirOwn = new Set<ContractModel>(checked.map((h) => h.contract));
  const findings: Finding[] = [];
  for (const hierarchy of checked) {
    const baseline = baselineHierarchy(hierarchy.contract, input, resolver);
    const context: UpgradeRuleContext = {
      file,
      contract: hierarchy.contract,
      hierarchy,
      upgradeable: upgradeable(hierarchy),
      ...(baseline ? { baseline } : {}),
      adminModifiers: input.adminModifiers ?? DEFAULT_ADMIN_MODIFIERS,
      graph: new CallGraph(hierarchy),
      checkedOnTheirOwn,
    };
    findings.push(
      ...runRules(upgradeRules, context, {
        file,
        tier: input.tier ?? 'parser',
        ...(input.settings ? { settings: input.settings } : {}),
        ...(input.onError ? { onError: input.onError } : {}),
      }),
    );
  }
  // A base shared by several contracts of the file yields the same fault once, inherited by each.
  return applySuppressionsByFile(placeFindings(findings), (f) => (f === file ? parsed.text : input.workspace.readText(f)));
}

function baselineHierarchy(contract: ContractModel, input: CheckUpgradeSafetyInput, resolver: HierarchyResolver): ContractHierarchy | undefined {
  const location = input.baselineOf?.(contract.name) ?? annotatedBaseline(contract, input.workspace);
  if (!location) return undefined;
  const model = resolver.modelsOf(location.file).find((c) => c.name === location.contract);
  return model && model !== contract ? resolver.hierarchy(model) : undefined;
}

/** `@custom:oz-upgrades-from BoxV1` (a name visible from the file) or `path/to/Box.sol:BoxV1` (project-relative). */
function annotatedBaseline(contract: ContractModel, workspace: SolidityWorkspace): BaselineLocation | undefined {
  const ref = contract.tags['oz-upgrades-from']?.split(/\s+/)[0];
  if (!ref) return undefined;
  const colon = ref.lastIndexOf(':');
  if (colon > 0) {
    const refPath = ref.slice(0, colon);
    const name = ref.slice(colon + 1);
    const root = workspace.projectRoot(path.dirname(contract.source.file));
    const candidates = [root ? path.resolve(root, refPath) : undefined, path.resolve(path.dirname(contract.source.file), refPath)];
    for (const candidate of candidates) if (candidate && workspace.readText(candidate) !== undefined) return { file: candidate, contract: name };
    const imported = workspace.resolveImport(contract.source.file, refPath);
    return 'file' in imported ? { file: imported.file, contract: name } : undefined;
  }
  const parsed = contract.source.parsed;
  if (!parsed) return undefined;
  const symbol = new SymbolTable(workspace).lookup(ref, parsed);
  return symbol?.kind === 'contract' ? { file: symbol.file.file, contract: symbol.name } : undefined;
}
