// The static verdict as a check of the simulation: the storage and upgrade-safety findings of the
// implementation's source (parser and compiler tiers, as the editor shows them). An error there
// fails the simulation, so a patch the editor marks red never comes out green in the panel.
import { pathToFileURL } from 'node:url';
import { docsUrl, type Finding } from '../findings';
import type { CheckLink, SimulationCheck } from './types';

export interface StaticVerdict {
  /** `VaultV2 in contracts/VaultV2.sol, parser and compiler tiers, against VaultV1`. */
  description: string;
  findings: Finding[];
  /** Shown for paths in evidence (the project root); absolute paths otherwise. */
  root?: string;
}

const TITLE = 'Storage and upgrade-safety rules';

function where(finding: Finding, root: string | undefined): string {
  const file = root && finding.file.startsWith(`${root}/`) ? finding.file.slice(root.length + 1) : finding.file;
  return `${file}:${finding.range.start.line + 1}:${finding.range.start.character + 1}`;
}

export function checkStaticVerdict(verdict: StaticVerdict | undefined): SimulationCheck {
  if (!verdict) {
    return { id: 'static-rules', title: TITLE, status: 'skip', summary: 'the implementation is a deployed address: no source to check (the on-chain checks still run)', evidence: [] };
  }
  const errors = verdict.findings.filter((f) => f.severity === 'error');
  const others = verdict.findings.filter((f) => f.severity !== 'error');
  const line = (f: Finding) => `${f.severity} ${f.rule} at ${where(f, verdict.root)} (${f.tier} tier): ${f.message}`;
  const links: CheckLink[] = [...errors, ...others].map((f) => ({
    uri: pathToFileURL(f.file).href,
    line: f.range.start.line,
    character: f.range.start.character,
    text: `${f.rule} at ${where(f, verdict.root)}`,
  }));
  const evidence = [verdict.description, ...errors.map(line), ...others.map(line)];
  if (errors.length === 0) {
    return { id: 'static-rules', title: TITLE, status: 'pass', summary: others.length ? `no error; ${others.length} warning(s) or note(s) to review` : 'no finding', evidence, ...(links.length ? { links } : {}) };
  }
  const first = errors[0];
  return {
    id: 'static-rules',
    title: TITLE,
    status: 'fail',
    summary: `${errors.length} error(s) in the source, first ${first.rule} at ${where(first, verdict.root)}: ${first.message}`,
    next: `fix ${errors.length === 1 ? 'it' : 'them'} in the editor (each has its quick fix or docs page: ${docsUrl(first.rule)}), then simulate again`,
    evidence,
    links,
  };
}
