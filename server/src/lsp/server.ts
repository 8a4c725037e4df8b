// The language server face: document sync, scheduling, diagnostics, hovers, inlay hints, code
// actions and the custom requests of protocol.ts. All analysis is done by the engine (../engine).
import {
  createConnection,
  DidChangeConfigurationNotification,
  InlayHintKind,
  MarkupKind,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import * as path from 'node:path';
import { isAbortError, SolcCompiler } from '../engine/compile/solc';
import { ParseWorker } from '../engine/parse/pool';
import { findProjectRoot, mergeTiers, ProjectAnalyzer, type CompiledAnalysis, type FileAnalysis, type ProjectSettings } from '../engine/project';
import { patchlineVersion } from '../engine/version';
import { slotGrid } from '../engine/layout/grid';
import {
  ListContractsRequest,
  RecordBaselineRequest,
  StorageLayoutRequest,
  type StorageLayoutView,
  StatusNotification,
  type AnalysisState,
  type ContractInfo,
  type InitializationOptions,
} from '../protocol';
import { codeActionsFor, toDiagnostic } from './diagnostics';
import { registerPatchRequests } from './patch';
import { AnalysisScheduler } from './scheduler';
import { defaultSettings, normalizeSettings, type ServerSettings } from './settings';
import { allEntries, entriesInFile, entryAt, slotLabel, storageHover } from './storageViews';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const analyses = new Map<string, FileAnalysis>();
const settingsCache = new Map<string, Promise<ServerSettings>>();
const projects = new Map<string, ProjectAnalyzer>();
let workspaceRoots: string[] = [];
let canPullConfiguration = false;
let trusted = false;
let lastState: AnalysisState = 'idle';
let lastError = '';

/** Editor buffers win over the disk for every file the engine reads. */
const openBuffers = {
  readFile(file: string): string | undefined {
    return documents.get(URI.file(file).toString())?.getText();
  },
};

/** Project root by folder: finding it walks up the disk, which an analysis per keystroke need not repeat. */
const rootByFolder = new Map<string, string>();

function projectFor(file: string): ProjectAnalyzer {
  const folder = path.dirname(file);
  let root = rootByFolder.get(folder);
  if (root === undefined) {
    // The nearest project marker wins; a file in no project falls back to its workspace folder.
    const marked = findProjectRoot(file);
    root = workspaceRoots.find((r) => marked.startsWith(r)) ? marked : (workspaceRoots.find((r) => file.startsWith(r)) ?? marked);
    rootByFolder.set(folder, root);
  }
  let project = projects.get(root);
  if (!project) {
    project = new ProjectAnalyzer(root, openBuffers);
    projects.set(root, project);
  }
  return project;
}

const fileOf = (uri: string): string => URI.parse(uri).fsPath;

connection.onInitialize((params: InitializeParams): InitializeResult => {
  canPullConfiguration = params.capabilities.workspace?.configuration === true;
  const options = (params.initializationOptions ?? {}) as Partial<InitializationOptions>;
  trusted = options.trusted === true;
  workspaceRoots = (params.workspaceFolders ?? []).map((folder) => fileOf(folder.uri));
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      hoverProvider: true,
      inlayHintProvider: true,
      codeLensProvider: { resolveProvider: false },
    },
    serverInfo: { name: 'patchline', version: patchlineVersion },
  };
});

connection.onInitialized(() => {
  if (canPullConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'patchline' });
  }
  connection.console.info(
    `Patchline language server ${patchlineVersion} ready (${trusted ? 'trusted: parser and compiler tiers' : 'untrusted workspace: parser tier only'})`,
  );
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
    const settings = await settingsFor(uri);
    if (!scheduler.isCurrent(uri, version)) return;
    const file = fileOf(uri);
    const started = Date.now();
    const projectSettings = projectSettingsOf(settings);
    const project = projectFor(file);
    // Large or deeply nested declarations are parsed in the worker first, leaving this thread free
    // for hovers and other files; a newer edit of this document terminates that parse.
    const abort = new AbortController();
    parseAborts.get(uri)?.abort();
    parseAborts.set(uri, abort);
    try {
      await project.prepare(file, parseWorker, abort.signal);
    } catch (error) {
      if (isAbortError(error)) return;
      throw error;
    } finally {
      if (parseAborts.get(uri) === abort) parseAborts.delete(uri);
    }
    if (!scheduler.isCurrent(uri, version) || documents.get(uri)?.version !== version) return;
    const analysis = project.analyze(file, projectSettings, (what, error) =>
      connection.console.error(`${what} failed on ${file}: ${error instanceof Error ? error.stack : String(error)}`),
    );
    // A newer edit may have arrived while we worked: its own run will publish.
    if (!scheduler.isCurrent(uri, version) || documents.get(uri)?.version !== version) return;
    const changedLayouts = layoutsChanged(analyses.get(uri), analysis);
    analyses.set(uri, analysis);
    publish(uri);
    connection.console.log(`Analysed ${file} v${version} in ${Date.now() - started} ms: ${analysis.findings.length} finding(s)`);
    if (changedLayouts) {
      void connection.languages.inlayHint.refresh().catch(() => undefined);
      // Other open files may use this one as their baseline or base contract.
      for (const other of documents.all()) {
        if (other.uri !== uri) scheduler.schedule(other.uri, other.version, settings.debounceMs + 100);
      }
    }
    lastError = '';
  } catch (error) {
    // An engine bug must not take the server down or clear the user's diagnostics.
    lastError = error instanceof Error ? error.message : String(error);
    connection.console.error(`Analysis of ${uri} failed: ${error instanceof Error ? error.stack : error}`);
  } finally {
    sendStatus();
  }
});

const parseWorker = new ParseWorker();
/** The running off-thread parse of each document, cancelled by a newer edit or a close. */
const parseAborts = new Map<string, AbortController>();

function projectSettingsOf(settings: ServerSettings): ProjectSettings {
  // git is a process: only in a trusted workspace.
  const baselineGitRef = trusted && settings.baselineGitRef ? settings.baselineGitRef : undefined;
  return {
    rules: settings.rules,
    ...(baselineGitRef ? { baselineGitRef } : {}),
    ...(settings.pauseAdminModifiers ? { pauseAdminModifiers: settings.pauseAdminModifiers } : {}),
  };
}

/** Publishes both tiers' findings for the document's current text. */
function publish(uri: string): void {
  const document = documents.get(uri);
  const analysis = analyses.get(uri);
  if (!document || !analysis) return;
  const findings = mergeTiers(analysis.findings, compiled.get(uri), document.getText());
  void connection.sendDiagnostics({ uri, version: document.version, diagnostics: findings.map(toDiagnostic) });
}

// --- Compiler tier: on save, and after 1.5 s without edits; trusted workspaces only. ---

const COMPILE_IDLE_MS = 1500;
const compiled = new Map<string, CompiledAnalysis>();
const compileTimers = new Map<string, NodeJS.Timeout>();
let compileAbort: AbortController | undefined;
let compiler: { solcPath: string; instance: SolcCompiler } | undefined;

function compilerFor(solcPath: string): SolcCompiler {
  if (compiler && compiler.solcPath === solcPath) return compiler.instance;
  void compiler?.instance.dispose();
  const resolved = solcPath && !path.isAbsolute(solcPath) && /[\\/]/.test(solcPath) && workspaceRoots[0] ? path.resolve(workspaceRoots[0], solcPath) : solcPath;
  compiler = { solcPath, instance: new SolcCompiler(resolved ? { solcPath: resolved } : {}) };
  return compiler.instance;
}

function scheduleCompile(uri: string, delayMs: number): void {
  if (!trusted) return;
  const pending = compileTimers.get(uri);
  if (pending) clearTimeout(pending);
  compileTimers.set(
    uri,
    setTimeout(() => {
      compileTimers.delete(uri);
      void compileNow(uri);
    }, delayMs),
  );
}

async function compileNow(uri: string): Promise<void> {
  const document = documents.get(uri);
  if (!document) return;
  const settings = await settingsFor(uri);
  compileAbort?.abort();
  const abort = new AbortController();
  compileAbort = abort;
  const file = fileOf(uri);
  const started = Date.now();
  try {
    const result = await projectFor(file).compile(file, compilerFor(settings.solcPath), projectSettingsOf(settings), abort.signal);
    compiled.set(uri, result);
    connection.console.log(`Compiled ${file} in ${Date.now() - started} ms: ${result.ok ? 'ok' : 'errors'}, ${result.findings.length} finding(s)`);
    publish(uri);
  } catch (error) {
    if (isAbortError(error)) return; // a newer compile took over
    connection.console.error(`Compiler tier failed on ${file}: ${error instanceof Error ? error.stack : String(error)}`);
  }
}

function layoutsChanged(before: FileAnalysis | undefined, after: FileAnalysis): boolean {
  if (!before) return true;
  const key = (a: FileAnalysis): string =>
    JSON.stringify([...a.layouts.values()].map((l) => [l.contract, l.storage.map((e) => [e.label, e.type, e.slot, e.offset]), l.namespaces.map((n) => n.id)]));
  return key(before) !== key(after);
}

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
    state === 'analyzing'
      ? `Analysing ${pending} document(s)`
      : state === 'error'
        ? `Analysis failed: ${lastError}`
        : `${analyses.size} document(s) analysed`;
  void connection.sendNotification(StatusNotification, { state, pending, message, tiers: trusted ? 'parser+compiler' : 'parser' });
}

documents.onDidOpen((event) => {
  void scheduleAnalysis(event.document, 0);
  scheduleCompile(event.document.uri, COMPILE_IDLE_MS);
});
documents.onDidChangeContent((event) => {
  parseAborts.get(event.document.uri)?.abort();
  void scheduleAnalysis(event.document);
  scheduleCompile(event.document.uri, COMPILE_IDLE_MS);
});
documents.onDidSave((event) => {
  // New or moved contracts, manifests, project markers or a recorded lock file change what baselines resolve to.
  for (const project of projects.values()) project.invalidate();
  rootByFolder.clear();
  scheduleCompile(event.document.uri, 0);
});
documents.onDidClose((event) => {
  const { uri } = event.document;
  scheduler.cancel(uri);
  parseAborts.get(uri)?.abort();
  analyses.delete(uri);
  settingsCache.delete(uri);
  projectFor(fileOf(uri)).forget(fileOf(uri));
  compiled.delete(uri);
  const pending = compileTimers.get(uri);
  if (pending) clearTimeout(pending);
  compileTimers.delete(uri);
  void connection.sendDiagnostics({ uri, diagnostics: [] });
  sendStatus();
});

connection.onCodeAction((params) => {
  const analysis = analyses.get(params.textDocument.uri);
  return analysis ? codeActionsFor(analysis.findings, params.context.diagnostics) : [];
});

connection.onHover((params) => {
  const analysis = analyses.get(params.textDocument.uri);
  if (!analysis) return null;
  const located = entryAt(entriesInFile(analysis.layouts.values(), analysis.file), params.position);
  if (!located) return null;
  const baselineLayout = analysis.baselines.get(located.layout.contract)?.layout;
  const baseline = baselineLayout
    ? allEntries(baselineLayout).find((b) => b.entry.label === located.entry.label && b.namespace?.id === located.namespace?.id)
    : undefined;
  return { contents: { kind: MarkupKind.Markdown, value: storageHover(located, baseline) }, range: located.entry.range };
});

connection.languages.inlayHint.on(async (params) => {
  const analysis = analyses.get(params.textDocument.uri);
  if (!analysis) return [];
  const settings = await settingsFor(params.textDocument.uri);
  if (!settings.inlayHints.storageSlots) return [];
  return entriesInFile(analysis.layouts.values(), analysis.file)
    .filter((located) => located.entry.range!.end.line >= params.range.start.line && located.entry.range!.start.line <= params.range.end.line)
    .map((located) => ({ position: located.entry.range!.end, label: slotLabel(located), kind: InlayHintKind.Type, paddingLeft: true }));
});

// "Simulate upgrade" above each contract that names the version it upgrades from.
connection.onCodeLens((params) => {
  const analysis = analyses.get(params.textDocument.uri);
  if (!analysis || !trusted) return [];
  return analysis.contracts
    .filter((c) => c.upgradeable && c.kind === 'contract' && (c.upgradesFrom || analysis.baselines.has(c.name)))
    .map((c) => ({
      range: c.nameRange,
      command: { title: 'Simulate upgrade', command: 'patchline.simulateUpgrade', arguments: [`${analysis.file}:${c.name}`] },
    }));
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
        file: analysis.file,
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

connection.onRequest(RecordBaselineRequest, ({ uri }) => {
  const { lockFile, contracts } = projectFor(fileOf(uri)).recordBaseline();
  connection.console.info(`Recorded the storage baseline of ${contracts.length} contract(s) in ${lockFile}`);
  for (const document of documents.all()) scheduler.schedule(document.uri, document.version, 0);
  return { lockUri: URI.file(lockFile).toString(), contracts };
});

connection.onRequest(StorageLayoutRequest, ({ uri, position }): StorageLayoutView | null => {
  const analysis = analyses.get(uri);
  if (!analysis) return null;
  const atCursor = position
    ? analysis.contracts.find((c) => c.range.start.line <= position.line && position.line <= c.range.end.line)
    : undefined;
  const name = atCursor?.name ?? [...analysis.contracts].reverse().find((c) => analysis.layouts.has(c.name))?.name;
  const layout = name ? analysis.layouts.get(name) : undefined;
  if (!layout) return null;
  const baseline = analysis.baselines.get(layout.contract);
  const grid = slotGrid(layout, baseline?.layout);
  return {
    contract: layout.contract,
    current: grid.current,
    ...(baseline && grid.baseline ? { baseline: { description: baseline.description, contract: baseline.layout.contract, rows: grid.baseline } } : {}),
  };
});

const patchRequests = registerPatchRequests(connection, {
  trusted: () => trusted,
  rootFor: (file) => (file ? findProjectRoot(file) : (workspaceRoots[0] ?? process.cwd())),
  anvilPath: async () => (await firstSettings()).anvilPath || undefined,
  solcPath: async () => (await firstSettings()).solcPath || undefined,
  log: (message) => connection.console.info(message),
});

/** Settings for requests not tied to a document (the Patch panel's). */
function firstSettings(): Promise<ServerSettings> {
  return settingsFor(workspaceRoots[0] ? URI.file(workspaceRoots[0]).toString() : '');
}

connection.onShutdown(async () => {
  await patchRequests.dispose();
  scheduler.dispose();
  await parseWorker.dispose();
  for (const timer of compileTimers.values()) clearTimeout(timer);
  compileAbort?.abort();
  await compiler?.instance.dispose();
});

documents.listen(connection);
connection.listen();
