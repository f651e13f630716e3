/*
 * Text parts from an untrusted page (src/protocol/splitting.ts), joined within `maxCallSize`.
 * The page's client never sends a text over the limit (it fails that call itself), so one that
 * arrives is refused like an oversized frame: the call it starts fails, named from its first
 * part, and its other parts are dropped. Parts that cannot belong together break the protocol
 * (SplitViolation): the circuit ends, which is also what bounds a page that starts split
 * messages and never finishes them to one partial message, at most `maxCallSize` bytes.
 */
import { decodeBinary, isClientCut } from '../../protocol/framing.js';
import * as Msg from '../../protocol/message-codes.js';
import { SplitTooLarge, SplitViolation, TextJoiner } from '../../protocol/splitting.js';
import { FrameError } from './incoming.js';

export { SplitViolation };

export class IncomingSplits {
  readonly #joiner: TextJoiner;

  constructor(private readonly limits: { readonly maxMessageSize: number; readonly maxCallSize: number }) {
    this.#joiner = new TextJoiner(limits.maxCallSize);
  }

  /** True between the first and the last part of a message: no other numbered frame may come. */
  get busy(): boolean {
    return this.#joiner.busy;
  }

  /** Bytes held for the message under way. */
  get held(): number {
    return this.#joiner.held;
  }

  /**
   * Takes one TEXT_PART frame: the whole text once its last part is in, else undefined. Throws a
   * FrameError for a message over `maxCallSize` (refuse it and fail its call), a SplitViolation
   * for parts that break the protocol (end the circuit).
   */
  part(data: Buffer): Buffer | undefined {
    const frame = decodeBinary(data); // a TEXT_PART frame with bad flags or length is a violation too
    if (frame.bytes.byteLength > this.limits.maxMessageSize) {
      this.#joiner.clear();
      throw new SplitViolation(`A part of ${frame.bytes.byteLength} bytes exceeds the maximum incoming message size of ${this.limits.maxMessageSize} bytes.`);
    }
    if (!isClientCut(frame.bytes.byteLength, frame.more, this.limits.maxMessageSize)) {
      this.#joiner.clear();
      throw new SplitViolation(`A part of ${frame.bytes.byteLength} bytes came with more to follow; every part of a split message but the last carries maxMessageSize (${this.limits.maxMessageSize}) bytes.`);
    }
    let whole;
    try {
      whole = this.#joiner.add(frame);
    } catch (error) {
      if (!(error instanceof SplitTooLarge)) throw error;
      const { what, held } = callIn(error.head);
      throw new FrameError(`${what} is ${error.size} bytes of JSON, more than the server's maxCallSize of ${this.limits.maxCallSize} bytes.`, held);
    }
    return whole && Buffer.from(whole.buffer, whole.byteOffset, whole.byteLength);
  }
}

const STRING = '("(?:[^"\\\\]|\\\\.)*"|null)';
const BEGIN_INVOKE_DOTNET = new RegExp(`^\\[${Msg.BeginInvokeDotNet},${STRING},${STRING},${STRING},`);
const COMPLETION = /^!\[(\d{1,16}),/;

/** The call a message starts with, read from its first bytes, so that call alone can fail (FrameError.oversized). */
function callIn(head: Uint8Array): { what: string; held?: unknown } {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 1024)).toString('utf8');
  const call = BEGIN_INVOKE_DOTNET.exec(text);
  if (call) {
    const [callId, assembly, method] = call.slice(1).map((json) => JSON.parse(json) as string | null);
    return { what: `The call to '${method}'${assembly ? ` on assembly '${assembly}'` : ''}`, held: [Msg.BeginInvokeDotNet, callId] };
  }
  const completion = COMPLETION.exec(text);
  if (completion) return { what: `The result for the host's call ${completion[1]}`, held: [Msg.EndInvokeJS, Number(completion[1])] };
  return { what: 'A message' };
}
