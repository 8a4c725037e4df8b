export { GOVERNOR_STATES, hasMulticall3, MULTICALL3_ADDRESS, proposalStatus, ProposalReadError, readProposal, type ChainEvent, type GovernorStatus, type OperationState, type ProposalStatus, type SafeStatus, type TimelineStep, type TimelockStatus } from './status';
export * from './recheck';
