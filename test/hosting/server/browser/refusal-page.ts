/*
 * The page of the Chromium refusal test: the official package and the server client. The test
 * asks it to connect to a URL that will not open a circuit and reads the message it got.
 * Outside a browser page (node --test runs every file under test/) it does nothing.
 */
import '../../../../src/page/node-globals.js';
import { DotNet } from '@microsoft/dotnet-js-interop';
import { connectToServer } from '../../../../src/server-client.js';

declare global {
  interface Window {
    /** Connects to `url`; resolves with the message connectToServer rejected with, or 'opened'. */
    openFails(url: string): Promise<string>;
  }
}

if (typeof location === 'object' && typeof window === 'object') {
  window.openFails = (url) =>
    connectToServer(url, { DotNet }).then(
      (connection) => {
        connection.close();
        return 'opened';
      },
      (error: Error) => error.message,
    );
}
