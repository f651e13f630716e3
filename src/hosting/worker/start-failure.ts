/*
 * Why a browser Worker did not start. A script that throws while it runs gives the Worker an
 * ErrorEvent with the error's message and place. Every other failure gives a bare Event with
 * nothing in it: a script that could not be fetched (404), was not JavaScript, was blocked (an
 * isolated page's Worker script without Cross-Origin-Embedder-Policy), or did not parse (Chromium
 * reports a module's SyntaxError this way too). Given the script's URL, one fetch of it tells
 * these apart; without it, the message lists them. (Page bundles include this file: kept small.)
 */

const PREFIX = 'The Worker failed to start: ';

/** The reason `host.ready` rejects with, from the Worker's first `error` event. */
export async function describeStartFailure(event: unknown, scriptUrl: string | URL | undefined): Promise<string> {
  const error = event as Partial<ErrorEvent> | undefined;
  if (error?.message) {
    const where = error.filename ? ` (${error.filename}${error.lineno ? `:${error.lineno}` : ''})` : '';
    return `${PREFIX}its script threw before it connected: ${error.message.replace(/^Uncaught /, '')}${where}.`;
  }
  if (scriptUrl === undefined) {
    return (
      `${PREFIX}its script did not load or did not parse, and the browser does not say which: a wrong URL (404), ` +
      'a script not served as JavaScript, a script without Cross-Origin-Embedder-Policy on a cross-origin isolated page, ' +
      "or a syntax error in it or a module it imports (an untransformed decorator, say). The browser's console names it; " +
      'pass { scriptUrl } to hostInWorker to have it checked.'
    );
  }
  return PREFIX + (await diagnose(String(scriptUrl)));
}

/** One GET of the script, as the Worker's own request made it (same origin, so every header is readable). */
async function diagnose(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store' });
  } catch (error) {
    return `its script ${url} could not be fetched (${(error as Error)?.message}).`;
  }
  if (response.status === 404) return `its script ${url} was not found (HTTP 404): check the URL the Worker was created with, and that the script is built and served there.`;
  if (!response.ok) return `its script ${url} answered HTTP ${response.status}.`;
  const type = response.headers.get('Content-Type') ?? '';
  if (!/(java|ecma)script/i.test(type)) return `its script ${url} is served as '${type || 'no Content-Type'}', not JavaScript: serve it as text/javascript.`;
  const coep = response.headers.get('Cross-Origin-Embedder-Policy') ?? '';
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated && !/require-corp|credentialless/.test(coep)) {
    return `its script ${url} was blocked: this page is cross-origin isolated and the script is served without Cross-Origin-Embedder-Policy; send it the same COEP header as the page (require-corp).`;
  }
  return `its script ${url} is served as JavaScript, so it or a module it imports did not parse or load (a SyntaxError, such as an untransformed decorator, or a missing import): the browser's console names it.`;
}
