// The language server face: document sync, scheduling, diagnostics, hovers, inlay hints, code
// actions and the custom requests of protocol.ts. All analysis is done by the engine (../engine).
import {
  createConnection,
  type Connection,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  InlayHintKind,
  MarkupKind,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeParams,
  type InitializeResult,
  type WorkDoneProgressServerReporter,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import { isAbortError } from '../engine/compile/solc';
import { CompilerSet } from '../engine/compile/solc-select';
import { CompileOutputCache } from '../engine/compile/output-cache';
import { DiskParseCache } from '../engine/parse/disk-cache';
import type { DownloadProgress } from '../engine/compile/solc-download';
import { loadPatchlineConfig } from '../engine/suppress';
import { placeFindings, type Finding } from '../engine/findings';
import { IdleCollection } from './idle-collection';
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
import { codeActionsFor, recordPublished, toDiagnostic } from './diagnostics';
import { LspFramingFilter } from './framing';
import { registerPatchRequests } from './patch';
import { registerProposalRequests } from './proposals';
import { AnalysisScheduler } from './scheduler';
import { defaultSettings, normalizeSettings, type ServerSettings } from './settings';
import { allEntries, entriesInFile, entryAt, slotLabel, storageHover } from './storage-views';

const connection = process.argv.includes('--stdio') ? createStdioConnection() : createConnection(ProposedFeatures.all);

/**
 * Over stdio, messages pass a framing filter first (a header without Content-Length is dropped,
 * not fatal). Given explicit streams, the library no longer routes console output away from
 * stdout, so that is done here: a stray console.log must not corrupt the protocol.
 */
function createStdioConnection(): Connection {
  const input = process.stdin.pipe(new LspFramingFilter((reason) => created.console.warn(`Dropped a malformed message: ${reason}`)));
  const created = createConnection(ProposedFeatures.all, input, process.stdout);
  console.log = console.info = console.debug = (...args: unknown[]) => created.console.log(format(...args));
  console.warn = (...args: unknown[]) => created.console.warn(format(...args));
  console.error = (...args: unknown[]) => created.console.error(format(...args));
  return created;
}
const documents = new TextDocuments(TextDocument);
const analyses = new Map<string, FileAnalysis>();
/** The document version each analysis was of: a re-analysis of the same text does not ripple to importers again. */
const analysedVersions = new Map<string, number>();
/** What was last published for each document, by diagnostic key: code actions are answered from it. */
const published = new Map<string, Map<string, Finding>>();
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

let diskCache: { cache: DiskParseCache | undefined } | undefined;
/** Parses kept on disk, shared with the CLI; an untrusted workspace reads them but writes nothing. */
function diskParseCache(): DiskParseCache | undefined {
  diskCache ??= { cache: DiskParseCache.forEnvironment({ write: trusted }) };
  return diskCache.cache;
}

/** Project root by folder: finding it walks up the disk, which an analysis per keystroke need not repeat. */
const rootByFolder = new Map<string, string>();

function projectFor(file: string): ProjectAnalyzer {
  const folder = path.dirname(file);
  let root = rootByFolder.get(folder);
  if (root === undefined) {
    // The nearest project marker wins; a file in no project falls back to its workspace folder.
    const folderRoot = workspaceRoots.find((r) => file.startsWith(r));
    const marked = findProjectRoot(file, folderRoot);
    root = workspaceRoots.find((r) => marked.startsWith(r)) ? marked : (folderRoot ?? marked);
    rootByFolder.set(folder, root);
  }
  let project = projects.get(root);
  if (!project) {
    project = new ProjectAnalyzer(root, openBuffers, undefined, diskParseCache());
    projects.set(root, project);
    publishConfigProblems(root);
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

/** A full garbage collection after 1.5 s without analysis gives an editing burst's heap back. */
const idleCollection = new IdleCollection(1500);

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
    if (projectSettings.baselineGitRef) fetchBaselineDependencies(project, projectSettings.baselineGitRef);
    // A newer edit may have arrived while we worked: its own run will publish.
    if (!scheduler.isCurrent(uri, version) || documents.get(uri)?.version !== version) return;
    const changedLayouts = layoutsChanged(analyses.get(uri), analysis);
    // A new text (not a re-analysis of the same one, which its importers caused): importers follow.
    const changedText = analysedVersions.get(uri) !== version;
    analysedVersions.set(uri, version);
    analyses.set(uri, analysis);
    publish(uri);
    connection.console.log(`Analysed ${file} v${version} in ${Date.now() - started} ms: ${analysis.findings.length} finding(s)`);
    // A file opened from the on-disk parse cache has no incremental parser yet: build it while the
    // user reads the first diagnostics, not on the first keystroke (a newer edit builds it itself).
    setTimeout(() => {
      if (scheduler.isCurrent(uri, version)) void project.workspace.warmIncremental(file, parseWorker).catch(() => undefined);
    }, 200);
    if (changedLayouts) {
      void connection.languages.inlayHint.refresh().catch(() => undefined);
      // Other open files may use this one as their baseline or base contract.
      for (const other of documents.all()) {
        if (other.uri !== uri) scheduler.schedule(other.uri, other.version, settings.debounceMs + 100);
      }
    } else if (changedText) {
      // A base's fault fixed here (or made) changes what the contracts inheriting it report, on this file too.
      for (const other of importersOf(file, uri)) {
        const document = documents.get(other);
        if (document) scheduler.schedule(other, document.version, settings.debounceMs + 100);
      }
    }
    lastError = '';
  } catch (error) {
    // An engine bug must not take the server down or clear the user's diagnostics.
    lastError = error instanceof Error ? error.message : String(error);
    connection.console.error(`Analysis of ${uri} failed: ${error instanceof Error ? error.stack : error}`);
  } finally {
    idleCollection.touch();
  }
}, () => sendStatus());

const baselineFetches = new Set<ProjectAnalyzer>();

/** Downloads the package versions a git-ref baseline needs (trusted only: it reaches the registry), then re-analyses. */
function fetchBaselineDependencies(project: ProjectAnalyzer, ref: string): void {
  if (baselineFetches.has(project)) return;
  baselineFetches.add(project);
  void project
    .fetchBaselineDependencies(ref)
    .then(({ fetched, failed }) => {
      for (const { pkg, error } of failed) connection.console.warn(`Cannot fetch ${pkg} for the baseline at ${ref}: ${error}`);
      if (fetched.length === 0) return;
      connection.console.info(`Fetched ${fetched.join(', ')} for the baseline at ${ref}: re-analysing open documents`);
      for (const document of documents.all()) void scheduleAnalysis(document, 0);
    })
    .finally(() => baselineFetches.delete(project));
}

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
    solc: settings.solc,
  };
}

/**
 * Each analysed document's findings (both tiers merged), by the document each is shown on: a base
 * contract's fault goes on the base's file. The document itself is always a target, so that a
 * re-analysis that no longer produces a finding clears it, here and in the files it was placed on.
 */
const placedBy = new Map<string, Map<string, Finding[]>>();

/** Publishes both tiers' findings for the document's current text, each on the file where its code is. */
function publish(uri: string): void {
  const document = documents.get(uri);
  const analysis = analyses.get(uri);
  if (!document || !analysis) return;
  const placed = new Map<string, Finding[]>([[uri, []]]);
  for (const finding of mergeTiers(analysis.findings, compiled.get(uri), document.getText())) {
    const target = finding.file === analysis.file ? uri : URI.file(finding.file).toString();
    const here = placed.get(target);
    if (here) here.push(finding);
    else placed.set(target, [finding]);
  }
  const before = [...(placedBy.get(uri)?.keys() ?? [])];
  placedBy.set(uri, placed);
  for (const target of new Set([...placed.keys(), ...before])) publishOn(target);
}

/** A document's diagnostics: its own analysis' findings and those other analyses placed in it, the same fault once. */
function publishOn(target: string): void {
  const findings = placeFindings([...placedBy.values()].flatMap((placed) => placed.get(target) ?? []));
  const document = documents.get(target);
  if (findings.length === 0 && !document) published.delete(target);
  else published.set(target, recordPublished(findings));
  void connection.sendDiagnostics({ uri: target, ...(document ? { version: document.version } : {}), diagnostics: findings.map(toDiagnostic) });
}

/** Forgets what a document's analysis placed (its editor closed) and republishes the files it was on. */
function unplace(uri: string): void {
  const before = [...(placedBy.get(uri)?.keys() ?? [])];
  placedBy.delete(uri);
  for (const target of new Set([uri, ...before])) publishOn(target);
}

/** The open documents whose last analysis read `file` (as an import or a base): a change there may change their findings. */
function importersOf(file: string, except: string): string[] {
  const out: string[] = [];
  for (const [uri, analysis] of analyses) if (uri !== except && analysis.dependencies.includes(file)) out.push(uri);
  return out;
}

// --- patchline.json: a file that cannot be read loosens the gate, so its problems are diagnostics on it. ---

/** patchline.json files that have diagnostics now, so that a fixed file gets them cleared. */
const configsWithProblems = new Set<string>();

function publishConfigProblems(root: string): void {
  const result = loadPatchlineConfig(root);
  const uri = URI.file(path.join(root, 'patchline.json')).toString();
  if (result.errors.length === 0) {
    if (configsWithProblems.delete(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
    return;
  }
  configsWithProblems.add(uri);
  const start = { line: 0, character: 0 };
  void connection.sendDiagnostics({
    uri,
    diagnostics: result.errors.map((message, i) => ({
      range: i === 0 && result.errorRange ? result.errorRange : { start, end: start },
      severity: DiagnosticSeverity.Error,
      source: 'patchline',
      message: message.startsWith('patchline.json is not valid JSON')
        ? `${message}. Until it is fixed, none of patchline.json applies, and \`patchline check\` refuses to run (exit 2).`
        : `${message}. Until it is fixed, this entry is ignored, and \`patchline check\` refuses to run (exit 2).`,
    })),
  });
}

/** Baselines, manifests, lock files or patchline.json may have changed on disk: forget what was read. */
function invalidateProjects(): void {
  for (const [root, project] of projects) {
    project.invalidate();
    publishConfigProblems(root);
  }
  rootByFolder.clear();
}

connection.onDidChangeWatchedFiles(() => {
  invalidateProjects();
  for (const document of documents.all()) scheduler.schedule(document.uri, document.version, 0);
});

// --- Compiler tier: on save, and after 1.5 s without edits; trusted workspaces only. ---

const COMPILE_IDLE_MS = 1500;
const compiled = new Map<string, CompiledAnalysis>();
let compileAbort: AbortController | undefined;
/** `patchline.solc.path` for the Patch panel's compiles: a relative path from the first workspace folder. */
function resolvedSolcPath(solcPath: string | undefined): string | undefined {
  if (!solcPath) return undefined;
  return !path.isAbsolute(solcPath) && /[\\/]/.test(solcPath) && workspaceRoots[0] ? path.resolve(workspaceRoots[0], solcPath) : solcPath;
}

/** Every compiler version the project's files need, chosen per file; downloads show as progress. */
// Only trusted workspaces compile, so only they read or write the compiler-output cache.
const compilers = new CompilerSet({ onProgress: (progress) => void reportDownload(progress), outputCache: CompileOutputCache.forEnvironment({ write: true }) });
const downloads = new Map<string, Promise<WorkDoneProgressServerReporter | undefined>>();

/** A compiler download as VS Code progress ("Patchline: downloading solc 0.6.12 … 40%"). */
async function reportDownload({ version, received, total }: DownloadProgress): Promise<void> {
  let reporter = downloads.get(version);
  if (!reporter) {
    reporter = connection.window.createWorkDoneProgress().then(
      (r) => {
        r.begin(`Patchline: downloading solc ${version} from the npm registry`, 0);
        return r;
      },
      () => undefined,
    );
    downloads.set(version, reporter);
  }
  const r = await reporter;
  if (total && received >= total) {
    r?.done();
    downloads.delete(version);
    connection.console.log(`Downloaded solc ${version} (${(received / 1e6).toFixed(1)} MB) into Patchline's cache`);
  } else {
    r?.report(total ? Math.floor((received / total) * 100) : 0, `${(received / 1e6).toFixed(1)} MB`);
  }
}

/** The compiler tier's debounce: the same per-document scheduling as the parser tier's, on its own clock. */
const compileScheduler = new AnalysisScheduler((uri) => compileNow(uri));

function scheduleCompile(uri: string, delayMs: number): void {
  if (!trusted) return;
  const document = documents.get(uri);
  if (document) compileScheduler.schedule(uri, document.version, delayMs);
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
    const result = await projectFor(file).compile(file, compilers, projectSettingsOf(settings), abort.signal);
    compiled.set(uri, result);
    connection.console.log(`Compiled ${file} in ${Date.now() - started} ms: ${result.ok ? 'ok' : 'errors'}, ${result.findings.length} finding(s)`);
    publish(uri);
  } catch (error) {
    if (isAbortError(error)) return; // a newer compile took over
    connection.console.error(`Compiler tier failed on ${file}: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    idleCollection.touch();
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
  invalidateProjects();
  scheduleCompile(event.document.uri, 0);
});
documents.onDidClose((event) => {
  const { uri } = event.document;
  scheduler.cancel(uri);
  parseAborts.get(uri)?.abort();
  analyses.delete(uri);
  analysedVersions.delete(uri);
  settingsCache.delete(uri);
  projectFor(fileOf(uri)).forget(fileOf(uri));
  compiled.delete(uri);
  compileScheduler.cancel(uri);
  // Its findings are cleared everywhere; what other open files' analyses place in it stays.
  unplace(uri);
  sendStatus();
  idleCollection.touch();
});

// Answered from what was published (both tiers merged), so a fix the compiler tier attached is offered too.
connection.onCodeAction((params) => {
  const findings = published.get(params.textDocument.uri);
  return findings ? codeActionsFor(findings, params.context.diagnostics) : [];
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

/** Whether `target` lies inside a workspace folder (symbolic links resolved where they exist). */
function insideWorkspace(target: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const resolved = real(target);
  return workspaceRoots.some((folder) => {
    const relative = path.relative(real(folder), resolved);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  });
}

connection.onRequest(RecordBaselineRequest, ({ uri }) => {
  // Recording writes patchline.lock.json: trusted workspaces only, and only inside a workspace folder.
  if (!trusted) throw new ResponseError(1, 'Recording the storage baseline writes patchline.lock.json: trust this workspace first.');
  const project = projectFor(fileOf(uri));
  if (!insideWorkspace(project.root)) {
    throw new ResponseError(1, `The baseline would be written to ${project.root}, outside the workspace folders: open that folder as a workspace folder first.`);
  }
  const { lockFile, contracts } = project.recordBaseline();
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
  insideWorkspace,
  rootFor: (file) => (file ? findProjectRoot(file) : (workspaceRoots[0] ?? process.cwd())),
  anvilPath: async () => (await firstSettings()).anvilPath || undefined,
  solcPath: async () => resolvedSolcPath((await firstSettings()).solc.path),
  log: (message) => connection.console.info(message),
});

registerProposalRequests(connection, {
  trusted: () => trusted,
  roots: () => (workspaceRoots.length > 0 ? workspaceRoots : [process.cwd()]),
  localRpc: () => patchRequests.localRpc(),
  anvilPath: async () => (await firstSettings()).anvilPath || undefined,
});

/** Settings for requests not tied to a document (the Patch panel's). */
function firstSettings(): Promise<ServerSettings> {
  return settingsFor(workspaceRoots[0] ? URI.file(workspaceRoots[0]).toString() : '');
}

connection.onShutdown(async () => {
  await patchRequests.dispose();
  scheduler.dispose();
  compileScheduler.dispose();
  await parseWorker.dispose();
  compileAbort?.abort();
  await compilers.dispose();
});

documents.listen(connection);
connection.listen();
