// The page every Patchline webview loads: its bundle and stylesheet from dist/media, under a strict
// CSP (no remote content, scripts only with this page's nonce).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** `bundle`: `panel` or `layout` (dist/media/<bundle>.js and .css). */
export function webviewHtml(webview: vscode.Webview, mediaRoot: vscode.Uri, bundle: string, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, `${bundle}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, `${bundle}.css`));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${style}" nonce="${nonce}">
  <title>${title}</title>
</head>
<body>
  <main id="app" aria-live="polite"></main>
  <script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
