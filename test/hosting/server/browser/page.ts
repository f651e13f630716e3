/*
 * The browser page of the Chromium test: the official package and the server client, bundled
 * with esbuild. It connects to the interop server of its own origin and records its states.
 * Outside a browser page (node --test runs every file under test/) it does nothing.
 */
import '../../../../src/page/node-globals.js'; // in Node, `window` before the package loads (a no-op in a browser)
import { DotNet } from '@microsoft/dotnet-js-interop';
import { connectToServer, type ServerConnection } from '../../../../src/server-client.js';
import { installBlazorStylePage } from '../../elements/blazor-style-page.js';

declare global {
  interface Window {
    states: string[];
    connection: ServerConnection;
    ready: Promise<string>;
    DotNet: typeof DotNet;
    browserAdd(a: number, b: number): number;
    browserEchoBytes(bytes: Uint8Array): Uint8Array;
    browserBlob(size: number): Blob;
    browserBusy(releaseUrl: string): number;
    /** Connects to a path of this origin (pages opened with `?manual`, which do not connect on load). */
    connectTo(path: string): Promise<ServerConnection>;
  }
}

if (typeof location === 'object' && typeof window === 'object') start();

function start(): void {
  installBlazorStylePage();
  window.states = [];
  window.browserAdd = (a, b) => a + b;
  window.browserEchoBytes = (bytes) => bytes;
  window.browserBlob = (size) => new Blob([Uint8Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) & 0xff)]);
  // Keeps the page's event loop blocked until the test releases it: a synchronous busy loop
  // that polls with synchronous requests, the one thing that still reaches a page this busy.
  window.browserBusy = (releaseUrl) => {
    for (let polls = 1; ; polls++) {
      const request = new XMLHttpRequest();
      request.open('GET', releaseUrl, false);
      request.send();
      if (request.responseText === 'go') return polls;
    }
  };
  window.connectTo = (path) => connectToServer(new URL(path, location.href.replace(/^http/, 'ws')), { DotNet });
  if (location.search === '?manual') return;
  window.ready = connectToServer(new URL('/_jsinterop', location.href.replace(/^http/, 'ws')), {
    DotNet,
    onStateChange: (state) => window.states.push(state),
  }).then((connection) => {
    window.connection = connection;
    return connection.circuitId;
  });
}
