// The verification step of `patchline propose --rpc`: each upgrade given a `--source` has its
// deployed implementation compared with that source (`patchline verify`); a mismatch stops the
// export before any write, a match becomes the upgrade's evidence.
import { settingsText, verifyDeployment, VerifyChainError, VerifyInputError, type VerifyResult } from '../engine/verify';
import type { ProposalRequest, VerificationEvidence } from '../engine/propose';
import { CompilerSet } from '../engine/compile/solc-select';

export type ProposalVerification = { ok: true; lines: string[] } | { ok: false; exitCode: 1 | 2; reason: string };

export function verificationEvidence(result: VerifyResult, source: string): VerificationEvidence {
  return {
    verdict: result.verdict,
    source,
    build: `solc ${result.compiler.version.split('+')[0]}, ${settingsText(result.compiler.settings)}`,
    blockNumber: result.blockNumber,
    summary: result.summary,
  };
}

/** Verifies every upgrade of the request that names its source; records the results in the request's evidence. */
export async function verifyProposal(request: ProposalRequest, cwd: string, progress: (line: string) => void): Promise<ProposalVerification> {
  const lines: string[] = [];
  const compilers = new CompilerSet();
  try {
    for (const upgrade of request.upgrades) {
      if (!upgrade.source) {
        upgrade.evidence = { ...upgrade.evidence, verification: { verdict: 'not-run', source: null, build: null, blockNumber: null, summary: 'no source was given (propose --source path:Contract after --implementation)' } };
        continue;
      }
      progress(`verifying the code at ${upgrade.newImplementation} against ${upgrade.source}…\n`);
      let result: VerifyResult;
      try {
        result = await verifyDeployment({ rpcUrl: request.rpcUrl!, address: upgrade.newImplementation, implementation: upgrade.source, cwd, compilers });
      } catch (error) {
        if (error instanceof VerifyInputError || error instanceof VerifyChainError) return { ok: false, exitCode: 2, reason: `--source ${upgrade.source}: ${error.message}` };
        throw error;
      }
      if (result.verdict === 'mismatch') {
        return {
          ok: false,
          exitCode: 1,
          reason: `${result.summary}\nRun 'patchline verify --rpc <url> --address ${upgrade.newImplementation} --implementation ${upgrade.source}' for the details; fix the implementation address or --source.`,
        };
      }
      upgrade.evidence = { ...upgrade.evidence, verification: verificationEvidence(result, upgrade.source) };
      lines.push(`${upgrade.newImplementation}: ${result.verdict} match of ${upgrade.source}`);
    }
    return { ok: true, lines };
  } finally {
    await compilers.dispose();
  }
}
