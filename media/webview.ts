// What every Patchline webview front end needs: the typed VS Code API and a small element builder.

interface VsCodeApi<Message> {
  postMessage(message: Message): void;
}
declare function acquireVsCodeApi(): VsCodeApi<unknown>;

/** The webview's API, typed with the messages this view may send (acquire it once per page). */
export function vscodeApi<Message>(): VsCodeApi<Message> {
  return acquireVsCodeApi() as VsCodeApi<Message>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
