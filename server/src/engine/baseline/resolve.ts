// Which baseline a contract is compared with, in the issue's order: (a) `@custom:oz-upgrades-from`,
// (b) `.openzeppelin` manifests, (c) a git ref, (d) patchline.lock.json. The first source that has
// the contract wins; the others are not consulted.
import * as path from 'node:path';
import type { MissingPiece, StorageLayout } from '../layout/types';
import { findUpgradesFrom, type ContractRef } from './annotation';
import { findLockBaseline, type LockFile } from './lock';
import { findManifestBaseline, type ManifestFile } from './manifest';

export type BaselineSource = 'annotation' | 'manifest' | 'git' | 'lock';

export interface ResolvedBaseline {
  layout: StorageLayout;
  source: BaselineSource;
  /** For messages: `@custom:oz-upgrades-from BoxV1`, `.openzeppelin/sepolia.json 0x…`, `git v1.0.0`, `patchline.lock.json`. */
  description: string;
}

export interface BaselineSources {
  /** Text of the edited file, where (a) is read. */
  text?: string;
  /** (a) The layout of the contract an annotation names; computed by the parser or compiler tier. */
  layoutOf?: (ref: ContractRef) => StorageLayout | undefined;
  /** Why `layoutOf(ref)` found nothing, in words that are true (the file is missing, or lacks the contract). */
  whyNotFound?: (ref: ContractRef) => string;
  /** (b) Manifests read with loadManifests(root). */
  manifests?: { root: string; files: ManifestFile[] };
  /** (c) The same contract at the configured git ref; optional. */
  gitLayoutOf?: (current: StorageLayout) => StorageLayout | undefined;
  /** (c) What could not be read of that layout at the ref (packages of another version not cached, submodules…): the baseline's missing pieces. */
  gitGapsOf?: (current: StorageLayout) => MissingPiece[];
  /** (c) Why `gitLayoutOf(current)` found nothing: the file is not at the ref, or lacks the contract. */
  gitWhyNotFound?: (current: StorageLayout) => string;
  gitRef?: string;
  /** (d) A lock file read with readLockFile(file). */
  lock?: { file: string; data: LockFile };
}

export interface BaselineResolution {
  baseline?: ResolvedBaseline;
  /** Why a source that was asked for did not give a baseline (an annotation naming an unknown contract…). */
  notes: string[];
  /** True when the contract carries `@custom:oz-upgrades-from`, resolved or not. */
  annotated: boolean;
  /** The annotation named a contract that was not found: the user asked for a comparison that cannot be made. */
  unresolved?: MissingPiece;
}

export function resolveBaseline(current: StorageLayout, sources: BaselineSources): BaselineResolution {
  const notes: string[] = [];
  const annotation = sources.text !== undefined ? findUpgradesFrom(sources.text, current.contract, current.file) : undefined;
  if (annotation) {
    const written = `${annotation.ref.path !== undefined ? `${annotation.ref.path}:` : ''}${annotation.ref.contract}`;
    const layout = sources.layoutOf?.(annotation.ref);
    if (layout) return { baseline: { layout, source: 'annotation', description: `@custom:oz-upgrades-from ${written}` }, notes, annotated: true };
    notes.push(`@custom:oz-upgrades-from names ${written}, which was not found`);
  }
  const unresolved: MissingPiece | undefined =
    annotation && current.file !== undefined
      ? {
          kind: 'baseline-unresolved',
          file: current.file,
          range: annotation.range,
          what: `@custom:oz-upgrades-from ${refText(annotation.ref)}`,
          reason:
            sources.whyNotFound?.(annotation.ref) ??
            (annotation.ref.path !== undefined ? `no contract ${annotation.ref.contract} in ${annotation.ref.path}` : `no contract ${annotation.ref.contract} in the project`),
        }
      : undefined;
  const withUnresolved = <T extends BaselineResolution>(resolution: T): T => (unresolved ? { ...resolution, unresolved } : resolution);
  if (sources.manifests) {
    const found = findManifestBaseline(sources.manifests.files, current, sources.manifests.root);
    if (found) {
      const where = path.relative(sources.manifests.root, found.manifest).split(path.sep).join('/');
      return withUnresolved({ baseline: { layout: found.layout, source: 'manifest', description: `${where} implementation ${found.address}` }, notes, annotated: annotation !== undefined });
    }
  }
  if (sources.gitLayoutOf) {
    const layout = sources.gitLayoutOf(current);
    const description = `git ${sources.gitRef ?? 'ref'}`;
    // What could not be read at the ref makes the baseline incomplete, as any other missing piece:
    // the storage rules are not run on it and analysis-incomplete says what and how to fix it.
    const gaps = layout ? (sources.gitGapsOf?.(current) ?? []) : [];
    const withGaps = layout && gaps.length > 0 ? { ...layout, missing: [...(layout.missing ?? []), ...gaps] } : layout;
    if (withGaps) return withUnresolved({ baseline: { layout: withGaps, source: 'git', description }, notes, annotated: annotation !== undefined });
    if (sources.gitRef !== undefined) notes.push(sources.gitWhyNotFound?.(current) ?? `${current.contract} is not in git ref ${sources.gitRef}`);
  }
  if (sources.lock) {
    const layout = findLockBaseline(sources.lock.data, path.dirname(sources.lock.file), current);
    if (layout) return withUnresolved({ baseline: { layout, source: 'lock', description: path.basename(sources.lock.file) }, notes, annotated: annotation !== undefined });
  }
  return withUnresolved({ notes, annotated: annotation !== undefined });
}

function refText(ref: ContractRef): string {
  return `${ref.path !== undefined ? `${ref.path}:` : ''}${ref.contract}`;
}
