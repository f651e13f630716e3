/*
 * The interop server answers one HTTP request path of its own (the disconnect beacon) on an
 * HTTP server it may share with an application. Node emits 'request' to every listener, and two
 * handlers answering one request break it (the second writes headers already sent; Express then
 * destroys the socket). So the interop server stands in front: the 'request' listeners present
 * when it is created move behind one listener of its own, which answers its path and hands
 * every other request to them, unchanged and in order. Listeners added later are not behind it
 * and also see its path: create the application's handler first (`http.createServer(app)` does).
 */
import type http from 'node:http';

type RequestListener = (this: http.Server, request: http.IncomingMessage, response: http.ServerResponse) => void;

/**
 * Puts `take` in front of `server`'s request listeners: a request it takes (returns true for)
 * reaches none of them. Returns the function that puts them back where `take` was.
 */
export function frontRequests(server: http.Server, take: (request: http.IncomingMessage, response: http.ServerResponse) => boolean): () => void {
  // Raw listeners: a `once` listener stays a once listener.
  const behind = server.rawListeners('request') as RequestListener[];
  const front: RequestListener = function (request, response) {
    if (take(request, response)) return;
    for (const listener of behind) listener.call(this, request, response);
  };
  server.removeAllListeners('request');
  server.on('request', front);
  return () => {
    const now = server.rawListeners('request') as RequestListener[];
    if (!now.includes(front)) return;
    server.removeAllListeners('request');
    for (const listener of now) {
      if (listener !== front) server.on('request', listener);
      else for (const moved of behind) server.on('request', moved);
    }
  };
}
