/*
 * The page end of server hosting: connects to an interop server over WebSocket, attaches the
 * official dispatcher to the connection, and keeps the circuit alive across network failures:
 * it reconnects with exponential backoff, resumes with the circuit id and secret, and both
 * sides replay what the other missed (src/protocol/sequencing.ts). Written small: it ships to
 * every page.
 */
import { PAGE_CIRCUIT_GONE } from '../../../page/circuit-gone.js';
import { dispatcherSuccession } from '../../../page/dispatcher-succession.js';
import { attachPageChannel } from '../../../page/page-channel.js';
import { isBatch, textBatcher } from '../../../protocol/batching.js';
import { callsInFlight } from '../../../protocol/calls-in-flight.js';
import { Control, isControl, PageFeature, ServerFeature } from '../../../protocol/circuit-control.js';
import { BYTES_FOLLOW, CALL_PREFIX_CODE, COMPLETION_PREFIX, decodeBinary, decodeCallFrame, MORE_PARTS } from '../../../protocol/framing.js';
import * as Msg from '../../../protocol/message-codes.js';
import { Outbox, Receipts } from '../../../protocol/sequencing.js';
import { TEXT_PART } from '../../../protocol/splitting.js';
import { pageFrames } from './outgoing.js';
import type { DotNetNamespace } from '../../../page/official-package.js';
import type { HostToPage, PageToHost } from '../../../protocol/messages.js';

/** Where the connection to the circuit is. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'ended';

/** Options for {@link connectToServer}. */
export interface ConnectOptions {
  /** The official package's namespace. Default: `globalThis.DotNet`. */
  readonly DotNet?: DotNetNamespace;
  /** The WebSocket class. Default: `globalThis.WebSocket` (pass `ws`'s `WebSocket` in Node 20). */
  readonly WebSocket?: new (url: string) => WebSocket;
  /** First delay before a reconnect attempt after the first (which is immediate), in ms; doubles each time. Default 250. */
  readonly reconnectDelay?: number;
  /** Longest delay between reconnect attempts, in ms. Default 10,000. */
  readonly maxReconnectDelay?: number;
  /**
   * Host calls whose arguments hold no marker, or only the package's own (byte arrays, references,
   * host objects and streams), skip the package's reviver parse and replacer, with the same results
   * (docs/protocol.md, "The direct path"). false sends every call through the
   * package's dispatcher. Default true.
   */
  readonly directCalls?: boolean;
  /** Called on every state change (to show a "reconnecting…" banner, for instance). */
  readonly onStateChange?: (state: ConnectionState) => void;
}

/** A page's live circuit. */
export interface ServerConnection {
  readonly circuitId: string;
  readonly state: ConnectionState;
  /** Settles with the reason when the circuit ends (the server disposed it, or it could not be resumed). */
  readonly ended: Promise<string>;
  /** Ends the circuit: the server disposes it at once instead of waiting for a reconnect. */
  close(reason?: string): void;
}

const PAGE_GONE = 'The page was closed.';

/**
 * Where the server takes disconnect beacons: `<path>/disconnect` over HTTP(S) (the server's
 * beaconPath), naming the circuit for a proxy to route on (`circuit=`, as a resume does).
 */
function beaconUrl(url: string | URL, circuitId: string): string {
  const target = new URL(url);
  target.protocol = target.protocol === 'wss:' ? 'https:' : 'http:';
  target.pathname += target.pathname.endsWith('/') ? 'disconnect' : '/disconnect';
  target.hash = '';
  // The beacon proves itself with the circuit's secret, not with a token in the URL.
  target.search = `circuit=${circuitId}`;
  return String(target);
}

/**
 * Connects the page to an interop server and resolves once the circuit has started. Page code
 * then calls the host with `DotNet.invokeMethodAsync`, as in Blazor.
 */
export function connectToServer(url: string | URL, options: ConnectOptions = {}): Promise<ServerConnection> {
  const g = globalThis as any;
  const DotNet: DotNetNamespace = options.DotNet ?? g.DotNet;
  const WS = options.WebSocket ?? g.WebSocket;
  if (!DotNet || !WS) {
    return Promise.reject(new TypeError(`connectToServer needs ${DotNet ? 'a WebSocket class: pass { WebSocket }' : 'the official page package: pass { DotNet } or set globalThis.DotNet'}.`));
  }
  g.DotNet ??= DotNet; // the host disposes JS objects through "DotNet.disposeJSObjectReferenceById"
  const initialDelay = options.reconnectDelay ?? 250;
  const outbox = new Outbox<string | Uint8Array>();
  const receipts = new Receipts();
  let early: PageToHost[] | undefined = []; // messages from before the circuit started
  let socket: WebSocket | undefined;
  let live = false; // the current socket has completed its handshake
  let circuitId = '';
  let secret = '';
  let maxSize = 0;
  let maxCall = 0; // the server's maxCallSize; 0: it joins no text parts (an older server)
  let acksWithCredit = false; // the server reads [StreamCredit, streamId, chunks, receivedCount]
  let bytesFrames = false; // the server reads a byte array as a header frame and bytes frames (ServerFeature.BytesFrames)
  // The host's calls in progress, by async handle: an answer too large to send names its call.
  const calls = callsInFlight<number, string>();
  // Parts of a text frame the host split; kept across reconnects, since replay resumes where they stopped.
  // The page trusts its server, as with every other frame, so it joins them without the checks the
  // server makes of an untrusted page (TextJoiner), which stay out of the page bundle.
  let parts: Uint8Array[] = [];
  // A chunk header whose bytes are the next binary frame (BYTES_FOLLOW); kept across reconnects, like parts.
  let follows: HostToPage | undefined;
  let heartbeat = 0;
  let retention = 0;
  let attempt = 0;
  let lostAt = 0;
  let heard = false;
  let missed = 0;
  let lastCheck = 0;
  let watch: ReturnType<typeof setInterval> | undefined;
  let endedWith: string | undefined;
  let refusedWith: string | undefined; // an End before the circuit started: the server refused the Hello
  // The server drains (its reason, SERVER_DRAINING): no new call to it, and every frame is acknowledged at once.
  // The text comes with Draining so that pages which never compare it do not carry it.
  let draining: string | undefined;
  let state: ConnectionState = 'connecting';
  let started!: (connection: ServerConnection) => void;
  let failed!: (error: Error) => void;
  let resolveEnded!: (reason: string) => void;
  const ended = new Promise<string>((resolve) => (resolveEnded = resolve));

  const setState = (next: ConnectionState): void => {
    if (state === next) return;
    state = next;
    options.onStateChange?.(next);
  };
  const emit = (frame: string | Uint8Array): void => {
    if (endedWith !== undefined) return;
    outbox.push(frame);
    if (live) socket!.send(frame);
  };
  // UTF-8 needs at most 3 bytes per UTF-16 unit, so a batch of maxSize / 3 units always fits.
  let batcher = textBatcher(emit, 0);
  const transmit = (message: PageToHost): void => {
    // Thrown here, the call rejects unsent (the official package catches it).
    if (draining && message[0] === Msg.BeginInvokeDotNet) throw new Error(draining);
    if (message[0] === Msg.StreamCredit && acksWithCredit && receipts.behind) {
      message = [Msg.StreamCredit, message[1], message[2], receipts.acking()] as unknown as PageToHost;
    }
    // A completion that goes out alone is the package's own text behind "!", not JSON inside JSON.
    let identifier: string | undefined;
    if (message[0] === Msg.EndInvokeJS) {
      identifier = calls.take(message[1]);
      if (!batcher.busy && (message[3].length + 1) * 3 <= maxSize) return batcher.add(COMPLETION_PREFIX + message[3]);
    }
    for (const frame of pageFrames(message, maxSize, maxCall, identifier, bytesFrames)) {
      if (typeof frame === 'string') batcher.add(frame);
      else {
        batcher.flush();
        emit(frame);
      }
    }
  };
  // Every connection of the page shares the one dispatcher the package sees; this one's static
  // calls go to this connection until it fails or ends (src/page/dispatcher-succession.ts).
  const succession = dispatcherSuccession(DotNet);
  const channel = attachPageChannel(DotNet, (message) => (early ? early.push(message) : transmit(message)), { attach: succession.attach, directCalls: options.directCalls });
  const ack = (): void => {
    if (live) socket!.send(JSON.stringify([Control.Ack, receipts.acking()]));
  };
  /** Counts a frame received; acks when it is time (at once while the server drains: it waits for that). */
  const counted = (size: number): void => {
    if (receipts.count(size) || draining) ack();
  };

  const finish = (reason: string): void => {
    if (endedWith !== undefined) return;
    endedWith = reason;
    live = false;
    g.removeEventListener?.('pagehide', onPageHide);
    clearInterval(watch);
    socket?.close();
    socket = undefined;
    outbox.clear();
    calls.clear();
    parts = [];
    follows = undefined;
    channel.close(`${PAGE_CIRCUIT_GONE} ${reason}`);
    succession.retire(channel.dispatcher);
    setState('ended');
    failed(new Error(reason));
    resolveEnded(reason);
  };

  /**
   * Leaves the current socket (dead or closed) and tries again, with backoff, within the
   * retention period: an owner that does not answer (a dead process behind a proxy) ends the
   * circuit only then. An owner that answers that the circuit is gone ends it at once (End).
   */
  const reconnect = (): void => {
    socket?.close();
    socket = undefined;
    live = false;
    lostAt ||= Date.now();
    if (Date.now() - lostAt > retention) return finish(`The connection to the server was lost and could not be restored within ${retention} ms. Reload the page, or call connectToServer again.`);
    setState('reconnecting');
    // The first attempt is immediate (most drops are brief); later ones back off exponentially.
    const delay = attempt && Math.min(options.maxReconnectDelay ?? 10_000, initialDelay * 2 ** (attempt - 1));
    attempt++;
    setTimeout(open, delay);
  };

  const control = (message: any[]): void => {
    const type = message[0];
    if (type === Control.Ack || type === Control.Heartbeat) {
      outbox.ack(message[1]);
      if (type === Control.Heartbeat && receipts.behind) ack();
    } else if (type === Control.End) {
      // Before the circuit started, the close that follows says more (and names the URL).
      if (circuitId) finish(message[1]);
      else refusedWith = message[1];
    } else if (type === Control.Draining) {
      // Every call queued so far goes out before Drained; later ones reject unsent (transmit).
      draining = message[2];
      batcher.flush();
      ack();
      socket!.send(JSON.stringify([Control.Drained]));
    } else if (type === Control.Rejected) {
      console.warn(`jsinterop: the server refused a message: ${message[1]}`);
    } else {
      // Started or Resumed: the handshake is done, frames flow on this socket from now on.
      live = true;
      attempt = lostAt = 0;
      if (type === Control.Started) {
        [, circuitId, secret, maxSize, heartbeat, retention] = message;
        maxCall = message[6] ?? 0; // sent to clients that announced split messages
        if (message[7] !== undefined) channel.setStreamWindow(message[7]);
        if (message[8] > 0) {
          // A server that says how often to ack also takes acks with stream credit: while a host stream
          // flows, each ack would be a write of its own.
          receipts.everyBytes = message[8];
          acksWithCredit = true;
        }
        bytesFrames = ((message[9] ?? 0) & ServerFeature.BytesFrames) !== 0;
        batcher = textBatcher(emit, maxSize / 3);
        const queued = early!;
        early = undefined;
        for (const m of queued) transmit(m);
        watch = setInterval(checkHeartbeat, heartbeat);
      } else {
        outbox.ack(message[1]);
        for (const frame of outbox.pending()) socket!.send(frame);
      }
      setState('connected');
      started(connection);
    }
  };

  /** One message to the official package; the host's calls are noted, so an answer too large to send can name its call. */
  const deliver = (message: HostToPage): void => {
    if (message[0] === Msg.BeginInvokeJS && message[1]) calls.set(message[1], message[2]);
    channel.receive(message);
  };

  /** `joined`: the text of parts already counted, one by one, as they arrived. */
  const receive = (data: string | ArrayBuffer, joined?: boolean): void => {
    heard = true;
    let message: HostToPage;
    if (typeof data !== 'string') {
      if (follows) {
        // The bytes of the chunk whose header came last: the whole message is the bytes, as they are.
        (message = follows)[2] = new Uint8Array(data);
        follows = undefined;
        counted(data.byteLength);
        return deliver(message);
      }
      const frame = decodeBinary(new Uint8Array(data), MORE_PARTS | BYTES_FOLLOW);
      if (frame.follows) {
        counted(data.byteLength);
        follows = [frame.type, frame.id, frame.bytes] as HostToPage;
        return;
      }
      if (frame.type === TEXT_PART) {
        // A part of a text frame too large for one frame: counted like any frame; the text is handled once whole.
        counted(data.byteLength);
        parts.push(frame.bytes); // a view of this message's own ArrayBuffer
        if (frame.more) return;
        const whole = new Uint8Array(frame.id); // the whole text's length
        let at = 0;
        for (const part of parts) whole.set(part, (at += part.byteLength) - part.byteLength);
        parts = [];
        return receive(new TextDecoder().decode(whole), true);
      }
      message = [frame.type, frame.id, frame.bytes] as HostToPage;
    } else if (data.charCodeAt(0) === CALL_PREFIX_CODE) {
      // A call frame: its arguments' JSON goes to the official package unparsed. Counted first,
      // like every frame, even one that cannot be read.
      if (!joined) counted(data.length);
      return deliver(decodeCallFrame(data));
    } else {
      message = JSON.parse(data);
      if (isControl(message[0])) return control(message);
    }
    if (!joined) counted(typeof data === 'string' ? data.length : data.byteLength);
    if (isBatch(message)) for (const m of message as unknown as HostToPage[]) deliver(m);
    else deliver(message);
  };

  /** The server sends a heartbeat every period; two silent periods mean the connection is dead. */
  const checkHeartbeat = (): void => {
    const now = Date.now();
    // A timer that fired late means this page was busy or suspended, not that the server is gone.
    const late = now - lastCheck > heartbeat * 1.5;
    lastCheck = now;
    if (heard || late || !live) {
      heard = false;
      missed = 0;
    } else if (++missed >= 2) {
      reconnect();
    }
  };

  /** A reconnect's URL: the page's, plus `circuit=<id>` for a proxy to route to the process that holds the circuit. */
  const resumeUrl = (): string => {
    const target = new URL(url);
    target.searchParams.set('circuit', circuitId);
    return String(target);
  };

  const open = (): void => {
    if (endedWith !== undefined) return;
    const ws: WebSocket = (socket = new WS(circuitId ? resumeUrl() : String(url)));
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => ws.send(JSON.stringify(circuitId ? [Control.Resume, circuitId, secret, receipts.received] : [...channel.hello, PageFeature.CallFrames | PageFeature.SplitMessages | PageFeature.Drain | PageFeature.StreamWindow | PageFeature.ChunkFrames]));
    ws.onmessage = (event) => ws === socket && receive(event.data);
    let error: string | undefined;
    ws.onerror = (event) => void (error = (event as { message?: string }).message || undefined);
    ws.onclose = (event) => {
      if (ws !== socket) return;
      if (circuitId) return reconnect();
      socket = undefined;
      const failed = { code: event.code, reason: event.reason, ended: refusedWith, error };
      // Loaded only when a circuit cannot be opened: pages that connect never ship the diagnosis.
      void import('./open-failure.js').then(({ describeFailedOpen }) => describeFailedOpen(String(url), failed)).then(finish);
    };
  };

  /**
   * The page is going away for good: its circuit ends at once (Blazor's disconnect beacon) rather
   * than wait out the retention period. `pagehide`, since `unload` is deprecated and keeps pages
   * out of the back/forward cache. A page that enters that cache (`persisted`) may come back:
   * no beacon; its circuit is retained like any disconnected one and resumes when it does.
   */
  function onPageHide(event: { persisted?: boolean }): void {
    if (event.persisted || endedWith !== undefined) return;
    if (circuitId) {
      // sendBeacon outlives the page; a WebSocket send now may never leave it. Should the browser
      // refuse the beacon (its queue is full), an End on the live socket is the next best thing.
      const sent = g.navigator?.sendBeacon?.(beaconUrl(url, circuitId), new URLSearchParams({ circuitId, secret }));
      if (!sent && live) socket!.send(JSON.stringify([Control.End, PAGE_GONE]));
    }
    finish(PAGE_GONE); // no reconnect from a page that is gone; an opening connection is abandoned
  }
  g.addEventListener?.('pagehide', onPageHide);

  const connection: ServerConnection = {
    get circuitId() {
      return circuitId;
    },
    get state() {
      return state;
    },
    ended,
    close(reason = 'The page closed the circuit.') {
      const end = JSON.stringify([Control.End, reason]);
      if (live) socket!.send(end);
      else if (circuitId && endedWith === undefined) {
        // Between connections: resume just to say goodbye, so the server need not wait out the retention period.
        const ws: WebSocket = new WS(resumeUrl());
        ws.onopen = () => {
          ws.send(JSON.stringify([Control.Resume, circuitId, secret, receipts.received]));
          ws.send(end);
          ws.close();
        };
        ws.onerror = () => {};
      }
      finish(reason);
    },
  };
  const starting = new Promise<ServerConnection>((resolve, reject) => {
    started = resolve;
    failed = reject;
  });
  open();
  return starting;
}
