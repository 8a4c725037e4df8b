// Proposal export: the engine entry points the CLI (`patchline propose`) and the panel call.
export { buildProposal } from './build';
export { checkProposalFolder, exportProposal, renderProposalFiles, writeProposal, ProposalExistsError, ProposalFolderError } from './files';
export type { WriteProposalOptions, WrittenProposal } from './files';
export { safeBatchChecksum, safeBatchFiles, serializeForSafeChecksum } from './safe';
export type { SafeBatchFile } from './safe';
export * from './types';
export { reportFailures, simulateProposal } from './simulation';
export type { ProposalSimulation, ProposalSimulationOptions, SimulatedUpgrade } from './simulation';
