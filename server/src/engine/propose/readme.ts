// README.md of an exported proposal: a summary to paste into a governance forum, with the
// commands a reviewer runs to check every hash and calldata independently.
import type { Proposal, ProposalCall, UpgradeEvidence } from './types';
import { append } from '../append';

function code(text: string): string {
  return `\`${text}\``;
}

function upgradeLine(proposal: Proposal, index: number): string {
  const u = proposal.upgrades[index];
  const via = u.kind === 'uups' ? 'UUPS `upgradeToAndCall`' : u.kind === 'transparent' ? `ProxyAdmin ${code(u.target)} \`upgradeAndCall\`` : `beacon ${code(u.target)} \`upgradeTo\``;
  const init = u.initializer ? `, then calls ${code(u.initializer.signature ?? u.initializer.data)}${u.initializer.args.length ? ` with (${u.initializer.args.join(', ')})` : ''}` : '';
  return `- Proxy ${code(u.proxy)} (${u.kind}): ${u.oldImplementation ? code(u.oldImplementation) : 'current implementation'} → ${code(u.newImplementation)} via ${via}${init}.`;
}

function evidenceLines(e: UpgradeEvidence): string[] {
  const lines = [`- ${code(e.newImplementation)} runtime code hash: ${e.runtimeCodeHash ? code(e.runtimeCodeHash) : 'not recorded'}${e.runtimeCodeHashSource === 'chain' ? ' (read from the chain at export)' : ''}.`];
  if (e.compiler) {
    const c = e.compiler;
    lines.push(`  Built with solc ${c.version}, optimizer ${c.optimizer.enabled ? `on (${c.optimizer.runs} runs)` : 'off'}, EVM ${c.evmVersion}${c.contract ? `, contract ${code(c.contract)}` : ''}${c.source ? ` from ${code(c.source)}` : ''}.`);
  }
  if (e.storageLayout) {
    const s = e.storageLayout;
    lines.push(`  Storage layout ${s.baseline} → ${s.current}: **${s.verdict}**${s.operations.length ? '' : ' (no change to existing variables)'}.`);
    for (const op of s.operations) lines.push(`  - ${op.kind}: ${op.description}`);
  } else {
    lines.push('  Storage layout: not checked by Patchline for this export.');
  }
  const v = e.verification;
  if (v && v.verdict !== 'not-run') {
    const verdict = v.verdict === 'full' ? 'full match (code and metadata)' : v.verdict === 'partial' ? 'partial match (the code; the metadata differs)' : 'mismatch';
    lines.push(`  Source verification: **${verdict}** of ${code(v.source ?? '')} at block ${v.blockNumber}${v.build ? ` (${v.build})` : ''}; repeat it with \`patchline verify\` below.`);
  } else {
    lines.push('  Source verification: not run at export (no source was given); run `patchline verify` below against the source you review.');
  }
  return lines;
}

function callBlock(call: ProposalCall): string {
  return ['```', `to:       ${call.to}`, `value:    ${call.value}`, `function: ${call.function}`, `data:     ${call.data}`, '```'].join('\n');
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function renderProposalReadme(proposal: Proposal): string {
  const out: string[] = [];
  const sim = proposal.evidence.simulation;
  out.push(`# ${proposal.title}`, '');
  out.push(`Chain ${proposal.chainId}. Exported by Patchline ${proposal.evidence.patchlineVersion} on ${proposal.createdAt}${proposal.evidence.chainState ? `, reading block ${proposal.evidence.chainState.blockNumber}` : ''}.`, '');
  out.push('## What changes', '', ...proposal.upgrades.map((_, i) => upgradeLine(proposal, i)), '');

  out.push('## Why it is safe', '');
  for (const e of proposal.evidence.upgrades) append(out, evidenceLines(e));
  if (sim.status === 'passed' && sim.reports.length > 1) {
    out.push(`- Fork simulation: **passed**, one report per upgrade, each running the whole exported operation:`);
    for (const r of sim.reports) out.push(`  - ${code(r.proxy ?? '')}: report sha256 ${code(r.reportHash)}${r.reportPath ? `, ${code(r.reportPath)}` : ''}`);
  } else if (sim.status === 'passed') out.push(`- Fork simulation: **passed** (report sha256 ${code(sim.reportHash ?? '')}${sim.reportPath ? `, ${code(sim.reportPath)}` : ''}).`);
  else if (sim.status === 'failed') out.push(`- Fork simulation: **${sim.verdict}**. The exporter confirmed exporting anyway (report sha256 ${code(sim.reportHash ?? '')}).`);
  else out.push('- Fork simulation: **not run**. The exporter confirmed exporting without one.');
  if (proposal.warnings.length) out.push('', '**Warnings**', '', ...proposal.warnings.map((w) => `- ${w}`));
  out.push('');

  out.push('## The calls', '', 'Executed by the timelock, in this order:', '');
  for (const call of proposal.calls) out.push(callBlock(call), '');

  const rpc = '$RPC_URL';
  const t = proposal.timelock;
  if (t) {
    out.push('## Timelock operation', '');
    out.push(`- Timelock: ${code(t.address)}; delay ${t.delay} s${t.minDelay !== null ? ` (getMinDelay() = ${t.minDelay} s)` : ''}.`);
    out.push(`- Operation id: ${code(t.operationId)} (${t.batch ? 'hashOperationBatch' : 'hashOperation'}).`);
    out.push(`- Salt: ${code(t.salt)} (${t.saltSource === 'derived' ? 'derived from the operation content: re-exporting the same patch gives the same salt' : 'given'}); predecessor: ${code(t.predecessor)}.`);
    out.push(`- Earliest execution: ${t.earliestExecution.iso}, if scheduled at ${new Date(t.earliestExecution.basisTimestamp * 1000).toISOString()} (${t.earliestExecution.basis === 'latest-block' ? 'the latest block at export' : 'the export time'}); in general the delay after the schedule transaction's block.`);
    out.push('', '1. A proposer sends `schedule`:', '', callBlock(t.schedule), '', `2. After ${t.delay} s, anyone with the executor role sends \`execute\`:`, '', callBlock(t.execute), '');
  }
  const g = proposal.governor;
  if (g) {
    out.push('## Governor proposal', '');
    out.push(`- Governor: ${code(g.address)}${g.timelock ? `, timelock ${code(g.timelock)}` : ''}.`);
    out.push(`- Proposal id: ${code(g.proposalId)} (${code(g.proposalIdHex)}).`);
    out.push(`- Description hash (for \`queue\` and \`execute\`): ${code(g.descriptionHash)}.`);
    out.push(`- Timelock salt used by the Governor: ${code(g.timelockSalt)}; timelock operation id ${code(g.timelockOperationId)}.`);
    out.push('', 'Description:', '', '```', g.description, '```', '', '`propose`:', '', callBlock(g.propose), '', 'After the vote succeeds, `queue`, then (after the timelock delay) `execute`:', '', callBlock(g.queue), '', callBlock(g.execute), '');
  }
  const safeFiles = proposal.files.filter((f) => f.startsWith('safe-'));
  if (safeFiles.length) {
    out.push('## Safe', '');
    out.push(`${proposal.safe ? `For the Safe ${code(proposal.safe.address)}: i` : 'I'}mport ${safeFiles.map(code).join(' and ')} in the Safe app's Transaction Builder (drag and drop). The files carry the Transaction Builder's checksum; the app rejects a file that was altered.`, '');
  }

  out.push('## Verify it yourself', '', `With Foundry's \`cast\` (set ${code('RPC_URL')} to a node of chain ${proposal.chainId}):`, '', '```sh');
  for (const u of proposal.upgrades) {
    if (u.kind !== 'beacon') out.push(`# current implementation of ${u.proxy} (EIP-1967 slot)`, `cast storage ${u.proxy} 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc --rpc-url ${rpc}`);
    else out.push(`# current implementation behind the beacon`, `cast call ${u.target} 'implementation()(address)' --rpc-url ${rpc}`);
    out.push(`# runtime code hash of the new implementation`, `cast keccak $(cast code ${u.newImplementation} --rpc-url ${rpc})`);
    out.push(`# the upgrade call`, `cast decode-calldata '${u.call.function}' ${u.call.data}`);
  }
  for (const e of proposal.evidence.upgrades) {
    // The source the exporter verified against, else a placeholder for the reviewer's own checkout.
    const source = e.verification?.source ?? 'path/to/File.sol:Contract';
    out.push(`# the deployed code of ${e.newImplementation} is this source (Patchline, in a checkout of the project)`, `npx patchline verify --rpc ${rpc} --address ${e.newImplementation} --implementation ${source}`);
  }
  if (t) {
    const fn = t.batch ? 'hashOperationBatch(address[],uint256[],bytes[],bytes32,bytes32)(bytes32)' : 'hashOperation(address,uint256,bytes,bytes32,bytes32)(bytes32)';
    const args = t.batch
      ? `'[${proposal.calls.map((c) => c.to).join(',')}]' '[${proposal.calls.map((c) => c.value).join(',')}]' '[${proposal.calls.map((c) => c.data).join(',')}]'`
      : `${proposal.calls[0].to} ${proposal.calls[0].value} ${proposal.calls[0].data}`;
    out.push(`# the operation id, as the timelock computes it: expect ${t.operationId}`, `cast call ${t.address} '${fn}' ${args} ${t.predecessor} ${t.salt} --rpc-url ${rpc}`);
    out.push(`# the timelock's minimum delay: expect at most ${t.delay}`, `cast call ${t.address} 'getMinDelay()(uint256)' --rpc-url ${rpc}`);
    out.push(`# the schedule calldata`, `cast decode-calldata '${t.schedule.function}' ${t.schedule.data}`);
  }
  if (g) {
    const arrays = `'[${proposal.calls.map((c) => c.to).join(',')}]' '[${proposal.calls.map((c) => c.value).join(',')}]' '[${proposal.calls.map((c) => c.data).join(',')}]'`;
    out.push(`# the description hash: expect ${g.descriptionHash}`, `cast keccak ${shellQuote(g.description)}`);
    out.push(`# the proposal id, as the Governor computes it: expect ${g.proposalId}`, `cast call ${g.address} 'hashProposal(address[],uint256[],bytes[],bytes32)(uint256)' ${arrays} ${g.descriptionHash} --rpc-url ${rpc}`);
  }
  out.push('```', '');
  out.push('Or with viem:', '', '```ts');
  out.push(`import { keccak256, encodeAbiParameters, toBytes } from 'viem';`);
  if (t && !t.batch) {
    out.push(
      `keccak256(encodeAbiParameters(`,
      `  [{ type: 'address' }, { type: 'uint256' }, { type: 'bytes' }, { type: 'bytes32' }, { type: 'bytes32' }],`,
      `  ['${proposal.calls[0].to}', ${proposal.calls[0].value}n, '${proposal.calls[0].data}', '${t.predecessor}', '${t.salt}'],`,
      `)); // ${t.operationId}`,
    );
  } else if (t) {
    out.push(
      `keccak256(encodeAbiParameters(`,
      `  [{ type: 'address[]' }, { type: 'uint256[]' }, { type: 'bytes[]' }, { type: 'bytes32' }, { type: 'bytes32' }],`,
      `  [[${proposal.calls.map((c) => `'${c.to}'`).join(', ')}], [${proposal.calls.map((c) => `${c.value}n`).join(', ')}], [${proposal.calls.map((c) => `'${c.data}'`).join(', ')}], '${t.predecessor}', '${t.salt}'],`,
      `)); // ${t.operationId}`,
    );
  }
  if (g) {
    out.push(
      `const descriptionHash = keccak256(toBytes(${JSON.stringify(g.description)})); // ${g.descriptionHash}`,
      `BigInt(keccak256(encodeAbiParameters(`,
      `  [{ type: 'address[]' }, { type: 'uint256[]' }, { type: 'bytes[]' }, { type: 'bytes32' }],`,
      `  [[${proposal.calls.map((c) => `'${c.to}'`).join(', ')}], [${proposal.calls.map((c) => `${c.value}n`).join(', ')}], [${proposal.calls.map((c) => `'${c.data}'`).join(', ')}], descriptionHash],`,
      `))); // ${g.proposalId}`,
      `// the Governor's timelock salt: bytes20(governor) XOR descriptionHash`,
      `BigInt('${g.address}'.padEnd(66, '0')) ^ BigInt(descriptionHash); // ${BigInt(g.timelockSalt)}n`,
    );
  }
  out.push('```', '');
  return out.join('\n');
}
