// The fork simulation engine: what the CLI, the language server and the demo import.
export { simulateUpgrade } from './simulate';
export { saveReport, reportFileName, type SavedReport } from './report';
export { loadSmokeCalls, parseSimulateConfig } from './config';
export { probeRpc } from './fork';
export * from './types';
