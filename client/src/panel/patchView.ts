// Host side of the "Patch" webview view: the upgradeable contracts the server found, each linking
// to its source. Its front end is media/panel/main.ts, bundled to dist/media/panel.js.
import * as vscode from 'vscode';
import {
  ListContractsRequest,
  ProposalStatusRequest,
  ProposeRequest,
  RecheckProposalRequest,
  SimulateRequest,
  SimulationProgressNotification,
  type AnalysisState,
  type ProposeParams,
  type ProposeResult,
  type SimulateParams,
  type SimulateResult,
} from '../../../server/src/protocol';
import type { Ctx } from '../ctx';
import { webviewHtml } from './html';
import { parseSimulationForm, parseWebviewMessage, type ExportForm, type HostMessage, type SimulationForm } from './messages';

const FORM_KEY = 'patchline.simulationForm';
const emptyForm: SimulationForm = { fork: 'local', rpc: '', block: '', proxy: '', implementation: '', route: 'auto', timelock: '', call: '', args: '' };

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Checks the form before anything runs; returns the request or a message for the user. */
export function simulateParamsOf(form: SimulationForm): SimulateParams | string {
  if (form.fork === 'rpc' && !/^(https?|wss?):\/\/\S+$/.test(form.rpc.trim())) return 'Enter the RPC URL to fork (http(s):// or ws(s)://), or choose the local demo chain.';
  if (form.fork === 'rpc' && form.block.trim() && !/^\d+$/.test(form.block.trim())) return 'The fork block must be a block number.';
  if (form.fork === 'rpc' && !ADDRESS.test(form.proxy.trim())) return 'Enter the proxy address (0x followed by 40 hex digits).';
  if (form.fork === 'local' && form.proxy.trim() && !ADDRESS.test(form.proxy.trim())) return 'The proxy must be an address, or empty for the demo vault.';
  if (!form.implementation.trim()) return 'Choose the new implementation: a workspace contract or a deployed address.';
  if (form.timelock.trim() && !ADDRESS.test(form.timelock.trim())) return 'The timelock must be an address.';
  const signature = form.call.trim();
  if (signature && !/^[A-Za-z_$][\w$]*\(.*\)$/.test(signature)) return 'The initializer must be a function signature, e.g. initializeV2(uint16).';
  const args = form.args.trim() ? form.args.split(',').map((a) => a.trim()) : [];
  return {
    fork: form.fork === 'local' ? { kind: 'local' } : { kind: 'rpc', url: form.rpc.trim(), ...(form.block.trim() ? { block: form.block.trim() } : {}) },
    implementation: form.implementation.trim(),
    route: form.route,
    ...(form.proxy.trim() ? { proxy: form.proxy.trim() } : {}),
    ...(form.timelock.trim() ? { timelock: form.timelock.trim() } : {}),
    ...(signature ? { call: { signature, args } } : {}),
  };
}

export class PatchViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'patchline.patch';
  private view: vscode.WebviewView | undefined;
  private state: AnalysisState = 'idle';
  private readonly disposables: vscode.Disposable[] = [];
  private lastSimulation: { params: SimulateParams; result: SimulateResult } | undefined;
  private running = false;

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      ctx.onStatus((status) => {
        this.state = status.state;
        if (status.state !== 'analyzing') void this.refresh();
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const mediaRoot = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [mediaRoot] };
    view.webview.html = webviewHtml(view.webview, mediaRoot, 'panel', 'Patch');
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      view.onDidChangeVisibility(() => view.visible && void this.refresh()),
    );
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.ctx.output.warn(`Patch view: ignored an invalid message ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'open': {
        const position = new vscode.Position(message.line, message.character);
        await vscode.window.showTextDocument(vscode.Uri.parse(message.uri), { selection: new vscode.Range(position, position) });
        return;
      }
      case 'simulate':
        await this.ctx.extension.workspaceState.update(FORM_KEY, message.form);
        await this.simulate(message.form);
        return;
      case 'export':
        await this.exportProposal(message.form);
        return;
      case 'ready':
        await this.post({ type: 'form', form: this.savedForm() });
        await this.refresh();
        return;
      case 'refresh':
        await this.refresh();
        return;
      case 'proposals':
        await this.refreshProposals(message.fork === 'rpc' ? { kind: 'rpc', url: message.rpc.trim() } : { kind: 'local' });
        return;
      case 'recheck':
        await this.recheck(message.directoryUri, message.fork === 'rpc' ? { kind: 'rpc', url: message.rpc.trim() } : { kind: 'local' });
        return;
    }
  }

  /** The fork the simulation form names (the command's default chain). */
  get formFork(): { kind: 'local' } | { kind: 'rpc'; url: string } {
    const form = this.savedForm();
    return form.fork === 'rpc' ? { kind: 'rpc', url: form.rpc.trim() } : { kind: 'local' };
  }

  /**
   * "Simulate execution now": the proposal's execute payload on a fork of today's chain, then the
   * checks (patchline/recheckProposal), with cancellable progress; the result shows under it.
   */
  async recheck(directoryUri: string, fork: { kind: 'local' } | { kind: 'rpc'; url: string }): Promise<void> {
    const client = this.ctx.started()?.client;
    if (!client) return;
    const fail = (message: string) => this.post({ type: 'recheck', directoryUri, state: 'error', message });
    if (!vscode.workspace.isTrusted) return void (await fail('Restricted mode: simulating the execution starts anvil and reaches the network. Trust this workspace first.'));
    if (fork.kind === 'rpc' && !/^https?:\/\/\S+$/.test(fork.url)) return void (await fail('Enter the RPC URL (http(s)://) in the form above, or choose the local demo chain.'));
    if (this.running) {
      void vscode.window.showInformationMessage('Patchline: a simulation is already running.');
      return;
    }
    this.running = true;
    await this.post({ type: 'recheck', directoryUri, state: 'running' });
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Patchline: simulating the proposal\'s execution', cancellable: true },
        async (progress, token) => {
          const listener = client.onNotification(SimulationProgressNotification, (p) => {
            const text = p.detail ? `${p.title}: ${p.detail}` : p.title;
            progress.report({ message: text });
            void this.post({ type: 'recheck', directoryUri, state: 'running', progress: text });
          });
          try {
            return await client.sendRequest(RecheckProposalRequest, { directoryUri, fork }, token);
          } finally {
            listener.dispose();
          }
        },
      );
      await vscode.commands.executeCommand('patchline.patch.focus');
      await this.post({ type: 'recheck', directoryUri, state: 'done', result });
      const failed = result.reports.flatMap((r) => r.report.checks.filter((c) => c.status === 'fail').map((c) => c.summary)).concat(result.reports.flatMap((r) => (r.report.error ? [r.report.error.message] : [])));
      const text = `Patchline: ${result.name} ${result.verdict === 'pass' ? 'still executes against today\'s state: every check passed' : result.verdict === 'fail' ? `would fail if executed now: ${failed[0] ?? 'a check failed'}` : `could not be simulated: ${failed[0] ?? 'an error'}`}.`;
      if (result.verdict === 'pass') void vscode.window.showInformationMessage(text);
      else void vscode.window.showWarningMessage(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.output.error(`Re-check failed: ${message}`);
      await fail(/cancel/i.test(message) ? 'The re-check was cancelled.' : message);
    } finally {
      this.running = false;
    }
  }

  /** The Proposals section: the workspace's exported proposals, with their status on the chain the form names. */
  private async refreshProposals(fork: { kind: 'local' } | { kind: 'rpc'; url: string }): Promise<void> {
    const client = this.ctx.started()?.client;
    if (!client) return;
    if (!vscode.workspace.isTrusted) {
      await this.post({ type: 'proposals', state: 'error', message: 'Restricted mode: reading proposals from the chain reaches the network. Trust this workspace to follow them.' });
      return;
    }
    if (fork.kind === 'rpc' && !/^https?:\/\/\S+$/.test(fork.url)) {
      await this.post({ type: 'proposals', state: 'error', message: 'Enter the RPC URL (http(s)://) in the form above, or choose the local demo chain.' });
      return;
    }
    await this.post({ type: 'proposals', state: 'running' });
    try {
      const { proposals } = await client.sendRequest(ProposalStatusRequest, { fork });
      await this.post({ type: 'proposals', state: 'done', proposals });
    } catch (error) {
      await this.post({ type: 'proposals', state: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  }

  get hasSimulation(): boolean {
    return this.lastSimulation !== undefined;
  }

  private savedForm(): SimulationForm {
    return parseSimulationForm(this.ctx.extension.workspaceState.get(FORM_KEY)) ?? emptyForm;
  }

  private async post(message: HostMessage): Promise<void> {
    await this.view?.webview.postMessage(message);
  }

  /** Shows the view with the form prefilled (Simulate Upgrade command, code lens). */
  async prefill(implementation: string): Promise<void> {
    const form = { ...this.savedForm(), implementation };
    await this.ctx.extension.workspaceState.update(FORM_KEY, form);
    await vscode.commands.executeCommand(`${PatchViewProvider.viewType}.focus`);
    await this.post({ type: 'form', form });
  }

  private async simulate(form: SimulationForm): Promise<void> {
    const client = this.ctx.started()?.client;
    if (!client) return;
    if (this.running) {
      void vscode.window.showInformationMessage('Patchline: a simulation is already running.');
      return;
    }
    if (!vscode.workspace.isTrusted) {
      await this.post({ type: 'simulation', state: 'error', message: 'Restricted mode: simulations start anvil and reach the network. Trust this workspace to simulate.' });
      return;
    }
    const params = simulateParamsOf(form);
    if (typeof params === 'string') {
      await this.post({ type: 'simulation', state: 'error', message: params });
      return;
    }
    this.running = true;
    await this.post({ type: 'simulation', state: 'running' });
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Patchline: simulating the upgrade', cancellable: true },
        async (progress, token) => {
          let done = 0;
          const listener = client.onNotification(SimulationProgressNotification, (p) => {
            const increment = p.total > 0 ? Math.max(0, (p.index / p.total) * 100 - done) : 0;
            done += increment;
            progress.report({ message: p.detail ? `${p.title}: ${p.detail}` : p.title, increment });
            void this.post({ type: 'simulation', state: 'running', progress: p.detail ? `${p.title}: ${p.detail}` : p.title });
          });
          try {
            return await client.sendRequest(SimulateRequest, params, token);
          } finally {
            listener.dispose();
          }
        },
      );
      this.lastSimulation = { params, result };
      await this.post({ type: 'simulation', state: 'done', result });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.output.error(`Simulation failed: ${message}`);
      await this.post({ type: 'simulation', state: 'error', message: /cancel/i.test(message) ? 'The simulation was cancelled.' : message });
    } finally {
      this.running = false;
    }
  }

  private async exportProposal(form: ExportForm): Promise<void> {
    const client = this.ctx.started()?.client;
    const last = this.lastSimulation;
    if (!client) return;
    if (!last) {
      void vscode.window.showWarningMessage('Patchline: run a simulation first: the proposal exports the simulated upgrade.');
      return;
    }
    if (this.running) {
      void vscode.window.showInformationMessage('Patchline: a simulation is already running.');
      return;
    }
    if (!vscode.workspace.isTrusted) {
      await this.post({ type: 'exportStatus', state: 'error', message: 'Restricted mode: an export simulates on a fork, reaches the network and writes files. Trust this workspace to export.' });
      return;
    }
    const proxy = last.result.report.proxy?.address ?? last.params.proxy;
    const name = form.name.trim();
    if (!proxy || !/^[\w.-]+$/.test(name) || !ADDRESS.test(form.newImplementation.trim())) {
      void vscode.window.showErrorMessage('Patchline: the proposal needs a name (letters, digits, . _ -) and the address where the new implementation is deployed.');
      return;
    }
    const base: ProposeParams = {
      confirmedWithoutPassingSimulation: false,
      fork: last.params.fork,
      proxy,
      newImplementation: form.newImplementation.trim(),
      ...(last.params.call ? { call: last.params.call } : {}),
      governance:
        form.governance === 'timelock'
          ? { kind: 'timelock', timelock: form.timelock.trim(), ...(form.delay.trim() ? { delay: form.delay.trim() } : {}) }
          : { kind: 'governor', governor: form.governor.trim(), description: form.description },
      ...(form.safe.trim() ? { safe: form.safe.trim() } : {}),
      name,
      force: false,
    };
    this.running = true;
    try {
      // The export simulates the exact operation it writes (as `propose --rpc`): progress, and a cancel that writes nothing.
      const send = (params: ProposeParams): Thenable<ProposeResult> =>
        vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Patchline: simulating the exported proposal', cancellable: true }, async (progress, token) => {
          const listener = client.onNotification(SimulationProgressNotification, (p) => {
            const line = p.detail ? `${p.title}: ${p.detail}` : p.title;
            progress.report({ message: line });
            void this.post({ type: 'exportStatus', state: 'running', message: line });
          });
          try {
            await this.post({ type: 'exportStatus', state: 'running', message: params.confirmedWithoutPassingSimulation ? 'Exporting without a simulation…' : 'Simulating the exported operation…' });
            return await client.sendRequest(ProposeRequest, params, token);
          } finally {
            listener.dispose();
          }
        });
      let params = base;
      let result = await send(params);
      if (!result.written && result.exists) {
        await this.post({ type: 'exportStatus', state: 'error', message: `A proposal named "${name}" already exists.` });
        const choice = await vscode.window.showWarningMessage(`A proposal named "${name}" already exists. Overwrite it?`, { modal: true }, 'Overwrite');
        if (choice !== 'Overwrite') return;
        params = { ...params, force: true };
        result = await send(params);
      }
      if (!result.written && !result.exists) {
        // Nothing was written: the panel shows the failing report with its checks, and why.
        const failure = result.simulation;
        await this.post({ type: 'simulation', state: 'done', result: { report: failure.report, reportUri: failure.reportUri, reportHash: failure.reportHash, suggestion: last.result.suggestion } });
        await this.post({ type: 'exportStatus', state: 'error', message: [failure.message, ...failure.failures.map((f) => `• ${f}`)].join('\n') });
        const choice = await vscode.window.showWarningMessage(
          `${failure.message} Export it anyway, without a passing simulation? This is recorded in its evidence.`,
          { modal: true, detail: failure.failures.join('\n') },
          'Export Anyway',
        );
        if (choice !== 'Export Anyway') return;
        result = await send({ ...params, confirmedWithoutPassingSimulation: true });
      }
      if (!result.written) return;
      await this.post({ type: 'exported', files: result.files, directoryUri: result.directoryUri, id: result.id });
      // Not awaited: the notification may stay open, and the panel must not stay busy until it closes.
      const readme = vscode.Uri.joinPath(vscode.Uri.parse(result.directoryUri), 'README.md');
      void vscode.window.showInformationMessage(`Patchline: proposal "${name}" written (${result.files.join(', ')}).`, 'Open README').then((open) => (open ? vscode.window.showTextDocument(readme) : undefined));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.output.error(`Export failed: ${message}`);
      await this.post({ type: 'exportStatus', state: 'error', message: /cancel/i.test(message) ? 'The export was cancelled: nothing was written.' : message });
      if (!/cancel/i.test(message)) void vscode.window.showErrorMessage(`Patchline: ${message}`);
    } finally {
      this.running = false;
    }
  }

  async refresh(): Promise<void> {
    const client = this.ctx.started()?.client;
    if (!this.view || !client) return;
    try {
      const { contracts } = await client.sendRequest(ListContractsRequest, { upgradeableOnly: true });
      await this.post({ type: 'contracts', contracts, state: this.state, trusted: vscode.workspace.isTrusted });
    } catch (error) {
      this.ctx.output.error(`Patch view: could not list contracts: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
