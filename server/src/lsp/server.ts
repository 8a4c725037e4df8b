// The language server face: document sync, scheduling, diagnostics, code actions and the custom
// requests of protocol.ts. All analysis is done by the engine (../engine).
import {
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { analyzeText, type DocumentAnalysis } from '../engine/analyze';
import { patchlineVersion } from '../engine/version';
import {
  ListContractsRequest,
  StatusNotification,
  type AnalysisState,
  type ContractInfo,
  type InitializationOptions,
} from '../protocol';
import { codeActionsFor, toDiagnostic } from './diagnostics';
import { AnalysisScheduler } from './scheduler';
import { defaultSettings, normalizeSettings, type ServerSettings } from './settings';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const analyses = new Map<string, DocumentAnalysis>();
const settingsCache = new Map<string, Promise<ServerSettings>>();
let canPullConfiguration = false;
let trusted = false;
let lastState: AnalysisState = 'idle';
let lastError = '';

connection.onInitialize((params: InitializeParams): InitializeResult => {
  canPullConfiguration = params.capabilities.workspace?.configuration === true;
  const options = (params.initializationOptions ?? {}) as Partial<InitializationOptions>;
  trusted = options.trusted === true;
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      codeActionProvider: { codeActionKinds: ['quickfix'] },
    },
    serverInfo: { name: 'patchline', version: patchlineVersion },
  };
});

connection.onInitialized(() => {
  if (canPullConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'patchline' });
  }
  connection.console.info(`Patchline language server ${patchlineVersion} ready (${trusted ? 'trusted: parser and compiler tiers' : 'untrusted workspace: parser tier only'})`);
});

function settingsFor(uri: string): Promise<ServerSettings> {
  if (!canPullConfiguration) return Promise.resolve(defaultSettings);
  let settings = settingsCache.get(uri);
  if (!settings) {
    settings = connection.workspace
      .getConfiguration({ scopeUri: uri, section: 'patchline' })
      .then(normalizeSettings, () => defaultSettings);
    settingsCache.set(uri, settings);
  }
  return settings;
}

connection.onDidChangeConfiguration(() => {
  settingsCache.clear();
  connection.console.info('Settings changed: re-analysing open documents');
  for (const document of documents.all()) void scheduleAnalysis(document, 0);
});

const scheduler = new AnalysisScheduler(async (uri, version) => {
  const document = documents.get(uri);
  if (!document || document.version !== version || !scheduler.isCurrent(uri, version)) return;
  try {
    const file = URI.parse(uri).fsPath;
    const analysis = analyzeText(file, document.getText(), analyses.get(uri));
    // A newer edit may have arrived while we worked: its own run will publish.
    if (!scheduler.isCurrent(uri, version) || documents.get(uri)?.version !== version) return;
    analyses.set(uri, analysis);
    void connection.sendDiagnostics({ uri, version, diagnostics: analysis.findings.map(toDiagnostic) });
    lastError = '';
  } catch (error) {
    // An engine bug must not take the server down or clear the user's diagnostics.
    lastError = error instanceof Error ? error.message : String(error);
    connection.console.error(`Analysis of ${uri} failed: ${error instanceof Error ? error.stack : error}`);
  } finally {
    sendStatus();
  }
});

async function scheduleAnalysis(document: TextDocument, delayOverride?: number): Promise<void> {
  const { debounceMs } = await settingsFor(document.uri);
  scheduler.schedule(document.uri, document.version, delayOverride ?? debounceMs);
  sendStatus();
}

function sendStatus(): void {
  const pending = scheduler.pending;
  const state: AnalysisState = pending > 0 ? 'analyzing' : lastError ? 'error' : 'idle';
  if (state === lastState && state !== 'analyzing') return;
  lastState = state;
  const message =
    state === 'analyzing' ? `Analysing ${pending} document(s)` : state === 'error' ? `Analysis failed: ${lastError}` : `${analyses.size} document(s) analysed`;
  void connection.sendNotification(StatusNotification, {
    state,
    pending,
    message,
    tiers: trusted ? 'parser+compiler' : 'parser',
  });
}

documents.onDidOpen((event) => void scheduleAnalysis(event.document, 0));
documents.onDidChangeContent((event) => void scheduleAnalysis(event.document));
documents.onDidClose((event) => {
  scheduler.cancel(event.document.uri);
  analyses.delete(event.document.uri);
  settingsCache.delete(event.document.uri);
  void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  sendStatus();
});

connection.onCodeAction((params) => {
  const analysis = analyses.get(params.textDocument.uri);
  return analysis ? codeActionsFor(analysis.findings, params.context.diagnostics) : [];
});

connection.onRequest(ListContractsRequest, ({ upgradeableOnly }) => {
  const contracts: ContractInfo[] = [];
  for (const [uri, analysis] of analyses) {
    const errors = analysis.findings.filter((f) => f.severity === 'error').length;
    const warnings = analysis.findings.filter((f) => f.severity === 'warning').length;
    for (const contract of analysis.contracts) {
      if (upgradeableOnly && !contract.upgradeable) continue;
      contracts.push({
        name: contract.name,
        uri,
        line: contract.nameRange.start.line,
        character: contract.nameRange.start.character,
        upgradeable: contract.upgradeable,
        proxyKind: contract.proxyKind,
        upgradesFrom: contract.upgradesFrom,
        errors,
        warnings,
      });
    }
  }
  contracts.sort((a, b) => a.name.localeCompare(b.name) || a.uri.localeCompare(b.uri));
  return { contracts };
});

connection.onShutdown(() => scheduler.dispose());

documents.listen(connection);
connection.listen();
