import { createInterface, clearLine, cursorTo, type Interface } from 'node:readline';
import { MessageGoneError, PlatformError } from '../../src/core/adapter-errors.ts';
import type {
  AdapterLimits, Actor, ChatAdapter, Conversation, InboundContext, InboundHandlers, Interaction, MessageRef, ReplyOptions,
} from '../../src/core/adapter.ts';
import { SLASH_COMMAND } from '../../src/core/commands.ts';
import type { ButtonView, View } from '../../src/core/views.ts';
import { renderView, safeLine } from './render.ts';

/**
 * Terminal adapter: a readline REPL over injected streams, for local use, demos and transcript-like
 * tests (`await shell.exec('/meetme kick 200 2')` → the rendered reply). Never exits the process.
 */

export interface ShellAdapterOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The local user's id and display name (default `local`). */
  user?: string;
  historySize?: number;
  color?: boolean;
  prompt?: string;
  /** Replies whose buttons stay pressable (default 20); older ones are forgotten. */
  keepReplies?: number;
  /**
   * Posted (status) messages kept, least recently edited dropped first (default 50). An edit of a
   * dropped one brings it back, so a message still watched stays usable.
   */
  keepStatusMessages?: number;
}

/** What the shell holds on to, for checking that it stays bounded. */
export interface ShellRetained {
  readonly messages: number;
  readonly buttons: number;
}

export interface ShellAdapter extends ChatAdapter {
  /** Runs one line as if typed; resolves with everything it rendered (replies, posts, edits). */
  exec(line: string): Promise<string>;
  /**
   * Presses the button carrying `actionId` on message `ref`, as `press N` would (a button with a
   * confirmation then waits for `y`); resolves with everything it rendered.
   */
  pressAction(ref: MessageRef, actionId: string): Promise<string>;
  /** Resolves when the REPL ends (`quit`, `exit`, end of input, or stop()). */
  readonly closed: Promise<void>;
  /** Lines run so far, oldest first, at most `historySize`. */
  history(): readonly string[];
  /** Who the shell user is, for the composition root's local-admin grant. */
  readonly localUser: { readonly platform: 'shell'; readonly userId: string };
  /** Messages and button numbers held now: bounded by keepReplies and keepStatusMessages. */
  retained(): ShellRetained;
}

const PLATFORM = 'shell';
/** 25 rows a page keep a status table on one terminal screen. */
const LIMITS: AdapterLimits = {
  minEditIntervalMs: 250, maxButtonsPerMessage: 100, maxTextLength: 20_000, ackDeadlineMs: 3000, nativeConfirmDialogs: true, maxRowsPerPage: 25,
};

interface NumberedButton {
  readonly button: ButtonView;
  readonly message: MessageRef;
}

/** Where a `press N` number points: one action id on one message, for as long as the message is kept. */
interface ButtonSlot {
  readonly messageId: string;
  readonly actionId: string;
}

/**
 * A message the shell still knows: the buttons it shows now, and every number it has given out
 * (kept so an edit that brings a button back brings its number back too). The view itself is not
 * kept: a terminal cannot redraw old output anyway.
 */
interface KeptMessage {
  readonly kind: 'status' | 'reply';
  onScreen: Map<string, { readonly number: number; readonly button: ButtonView }>;
  readonly numbers: Map<string, number>;
}

const DEFAULT_KEEP_REPLIES = 20;
const DEFAULT_KEEP_STATUS_MESSAGES = 50;

export function createShellAdapter(opts: ShellAdapterOptions): ShellAdapter {
  const user = opts.user ?? 'local';
  const color = opts.color ?? false;
  const prompt = opts.prompt ?? 'meetme> ';
  const historySize = opts.historySize ?? 100;
  const keepLimits = { reply: opts.keepReplies ?? DEFAULT_KEEP_REPLIES, status: opts.keepStatusMessages ?? DEFAULT_KEEP_STATUS_MESSAGES };
  const actor: Actor = { platform: PLATFORM, userId: user, displayName: user, groups: [] };
  const conversation: Conversation = { platform: PLATFORM, id: 'terminal' };

  let inbound: InboundHandlers | undefined;
  let rl: Interface | undefined;
  let nextId = 1;
  // Message ids carry a per-run tag: the store keeps refs across restarts, and a new run's `m4` must
  // never be taken for the old run's `m4`. People see only the short `m4` part.
  const runTag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  const newMessageId = (): string => `${runTag}:m${nextId++}`;
  const shortId = (id: string): string => id.slice(id.lastIndexOf(':') + 1);
  /** A message id this run handed out (kept or since dropped). */
  const issuedHere = (id: string): boolean => {
    const match = /^(.*):m(\d+)$/.exec(id);
    return match !== null && match[1] === runTag && Number(match[2]) < nextId;
  };
  /**
   * Messages still kept, least recently shown first. Every `show` and reply adds one, so without a
   * bound a long session grows without end; only the recent replies and the status messages still
   * being edited can sensibly be pressed.
   */
  const kept = new Map<string, KeptMessage>();
  const lines: string[] = [];
  /**
   * Button numbers stay put while their message is kept: a status edit (someone starts talking)
   * must not turn `[1] Kick all` into `[1] Mute` between reading the screen and typing `press 1`.
   * A number is given to one (message, action id) and never to anything else; an edit keeps the
   * numbers of the buttons it still shows and gives new ones to new buttons.
   */
  const slots = new Map<number, ButtonSlot>();
  let nextNumber = 1;
  let pendingConfirm: NumberedButton | undefined;
  /** Output buffers of the exec calls in progress: everything rendered meanwhile goes to each. */
  const captures = new Set<string[]>();
  /** Replies go to the exec whose interaction they answer. */
  const replyCaptures = new Map<string, string[]>();
  let queue: Promise<unknown> = Promise.resolve();
  let handlingLine = false;

  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => { resolveClosed = resolve; });
  let isClosed = false;
  const terminal = (opts.output as { isTTY?: boolean }).isTTY === true;

  /** Prints without clobbering the line being typed: clear it, print, re-prompt with the input kept. */
  const print = (text: string): void => {
    if (rl !== undefined && terminal && !handlingLine) {
      clearLine(opts.output, 0);
      cursorTo(opts.output, 0);
      opts.output.write(`${text}\n`);
      rl.prompt(true);
      return;
    }
    opts.output.write(`${text}\n`);
  };

  const numberFor = (message: KeptMessage, messageId: string, actionId: string): number => {
    let n = message.numbers.get(actionId);
    if (n === undefined) {
      n = nextNumber++;
      message.numbers.set(actionId, n);
      slots.set(n, { messageId, actionId });
    }
    return n;
  };

  const forget = (messageId: string, message: KeptMessage): void => {
    kept.delete(messageId);
    for (const n of message.numbers.values()) slots.delete(n);
  };

  /** Marks a message as just shown (most recent last) and drops the oldest of its kind over the limit. */
  const keep = (messageId: string, kind: KeptMessage['kind']): KeptMessage => {
    const message = kept.get(messageId) ?? { kind, onScreen: new Map(), numbers: new Map<string, number>() };
    kept.delete(messageId);
    kept.set(messageId, message);
    let count = 0;
    for (const m of kept.values()) if (m.kind === message.kind) count++;
    for (const [id, m] of kept) {
      if (count <= keepLimits[message.kind]) break;
      if (m.kind !== message.kind) continue;
      forget(id, m);
      count--;
    }
    return message;
  };

  const refOf = (messageId: string): MessageRef => ({ platform: PLATFORM, conversation: conversation.id, id: messageId });

  const show = (view: View, ref: MessageRef, kind: KeptMessage['kind'], heading: string | undefined, capture: string[] | undefined): void => {
    const message = keep(ref.id, kind);
    const numberOf = (button: ButtonView): number => numberFor(message, ref.id, button.id);
    const rendered = renderView(view, { color, numberOf });
    message.onScreen = new Map(rendered.buttons.map((b) => [b.button.id, b]));
    const text = heading === undefined ? rendered.text : `${heading}\n${rendered.text}`;
    print(text);
    const plain = color ? renderView(view, { color: false, numberOf }).text : rendered.text;
    const captured = heading === undefined ? plain : `${heading}\n${plain}`;
    capture?.push(captured);
    for (const buffer of captures) if (buffer !== capture) buffer.push(captured);
  };

  const context = (message: MessageRef | undefined): InboundContext => ({
    actor,
    conversation,
    interaction: { platform: PLATFORM, id: `i${nextId++}` },
    message,
    ack: () => Promise.resolve(),
  });

  const say = (text: string, out: string[]): void => {
    print(text);
    out.push(text);
  };

  /** Numbers shown on screen now, lowest first. */
  const shownNumbers = (): number[] => [...kept.values()].flatMap((m) => [...m.onScreen.values()].map((b) => b.number)).sort((a, b) => a - b);

  const droppedHint = `The shell keeps the last ${keepLimits.reply} replies and the ${keepLimits.status} most recently updated status messages; run the command again for fresh buttons.`;

  const pressNumber = async (word: string, out: string[]): Promise<void> => {
    const n = Number(word);
    const slot = Number.isInteger(n) ? slots.get(n) : undefined;
    if (slot === undefined && Number.isInteger(n) && n >= 1 && n < nextNumber) {
      say(`Button ${n} was on an older message that the shell no longer keeps. ${droppedHint}`, out);
      return;
    }
    if (slot === undefined) {
      const shown = shownNumbers();
      say(shown.length === 0 ? 'No buttons to press yet.' : `No button ${safeLine(word)}: choose ${shown[0]} to ${shown[shown.length - 1]}.`, out);
      return;
    }
    const current = kept.get(slot.messageId)?.onScreen.get(slot.actionId);
    if (current === undefined) {
      say(`Button ${n} is no longer shown: its message (${shortId(slot.messageId)}) has changed since. Press a number you see now.`, out);
      return;
    }
    await press({ button: current.button, message: refOf(slot.messageId) }, out);
  };

  const press = async (chosen: NumberedButton, out: string[]): Promise<void> => {
    const { confirm } = chosen.button;
    if (confirm !== undefined) {
      pendingConfirm = chosen;
      say(`${safeLine(confirm.title)} ${safeLine(confirm.text)} [${safeLine(confirm.confirm)}: y / ${safeLine(confirm.deny)}: n]`, out);
      return;
    }
    await dispatchAction(chosen, out);
  };

  /** Settles a pending confirmation; true when `text` was its answer, false when it is a line of its own. */
  const answerConfirm = async (text: string, out: string[]): Promise<boolean> => {
    const chosen = pendingConfirm;
    if (chosen === undefined) return false;
    pendingConfirm = undefined;
    if (/^y(es)?$/i.test(text)) {
      await dispatchAction(chosen, out);
      return true;
    }
    say('Cancelled.', out);
    // Anything but yes cancels; a line that is not an answer at all is still meant to run.
    return /^(no?)?$/i.test(text);
  };

  const runLine = async (line: string, out: string[]): Promise<void> => {
    const text = line.trim();
    if (text !== '') {
      lines.push(text);
      if (lines.length > historySize) lines.splice(0, lines.length - historySize);
    }
    if (await answerConfirm(text, out)) return;
    if (text === '') return;
    // Shell words (quit, exit, press) are not /meetme subcommands: answer their misuse here with
    // their own usage instead of "unknown command".
    if (/^(quit|exit)(\s+now)?$/i.test(text)) {
      say('Bye.', out);
      close();
      return;
    }
    if (/^(quit|exit)\s/i.test(text)) {
      say('Usage: `quit` (or `exit`) leaves the shell.', out);
      return;
    }
    const pressed = /^press(?:\s+(\S+))?(\s+\S.*)?$/i.exec(text);
    if (pressed !== null) {
      if (pressed[1] === undefined || pressed[2] !== undefined) say('Usage: `press N` presses button [N].', out);
      else await pressNumber(pressed[1], out);
      return;
    }
    const commandText = text.toLowerCase().startsWith(`${SLASH_COMMAND} `) || text.toLowerCase() === SLASH_COMMAND
      ? text.slice(SLASH_COMMAND.length)
      : text;
    const ctx = context(undefined);
    replyCaptures.set(ctx.interaction.id, out);
    try {
      await (inbound as InboundHandlers).command(ctx, commandText.trim());
    } finally {
      replyCaptures.delete(ctx.interaction.id);
    }
  };

  const pressOn = async (ref: MessageRef, actionId: string, out: string[]): Promise<void> => {
    await answerConfirm('', out);
    if (!kept.has(ref.id) && issuedHere(ref.id)) {
      say(`Message ${safeLine(shortId(ref.id))} is older than the shell keeps. ${droppedHint}`, out);
      return;
    }
    const current = kept.get(ref.id)?.onScreen.get(actionId);
    if (current === undefined) {
      say(`No button ${safeLine(actionId)} on message ${safeLine(shortId(ref.id))}.`, out);
      return;
    }
    await press({ button: current.button, message: refOf(ref.id) }, out);
  };

  const dispatchAction = async (chosen: NumberedButton, out: string[]): Promise<void> => {
    const ctx = context(chosen.message);
    replyCaptures.set(ctx.interaction.id, out);
    try {
      await (inbound as InboundHandlers).action(ctx, chosen.button.id);
    } finally {
      replyCaptures.delete(ctx.interaction.id);
    }
  };

  /** Runs one step of input; steps run one at a time, in order, like a person typing them. */
  const enqueue = (step: (out: string[]) => Promise<void>): Promise<string> => {
    if (inbound === undefined) return Promise.reject(new PlatformError(PLATFORM, 'input before start', false));
    const out: string[] = [];
    const done = queue.then(async () => {
      captures.add(out);
      handlingLine = true;
      try {
        await step(out);
      } finally {
        handlingLine = false;
        captures.delete(out);
      }
      return out.join('\n');
    });
    queue = done.catch(() => undefined);
    return done;
  };

  const exec = (line: string): Promise<string> => enqueue((out) => runLine(line, out));
  const close = (): void => {
    if (isClosed) return;
    isClosed = true;
    rl?.close();
    resolveClosed();
  };

  const adapter: ShellAdapter = {
    name: PLATFORM,
    limits: LIMITS,
    closed,
    localUser: { platform: PLATFORM, userId: user },
    history: () => [...lines],
    retained: () => ({ messages: kept.size, buttons: slots.size }),
    exec,
    pressAction: (ref, actionId) => enqueue((out) => pressOn(ref, actionId, out)),

    async start(handlers) {
      inbound = handlers;
      rl = createInterface({ input: opts.input, output: opts.output, terminal, historySize, prompt });
      rl.on('line', (line) => {
        void exec(line).then(
          () => { if (!isClosed) rl?.prompt(); },
          (err: unknown) => { print(`The shell could not run that line: ${String(err)}`); },
        );
      });
      rl.on('close', close);
      print(`meetme-bot shell: type \`help\`, \`press N\` for button N, \`quit\` to leave. You are ${user}.`);
      rl.prompt();
    },

    async stop() {
      close();
    },

    async post(_conversation, view) {
      const ref: MessageRef = { platform: PLATFORM, conversation: conversation.id, id: newMessageId() };
      show(view, ref, 'status', undefined, undefined);
      return ref;
    },

    async update(ref, view) {
      const known = kept.get(ref.id);
      // An edit of a dropped message of this run means it is still watched: keep it again.
      if (known !== undefined || issuedHere(ref.id)) {
        show(view, ref, known?.kind ?? 'status', `(updated ${shortId(ref.id)})`, undefined);
        return;
      }
      // A terminal keeps no messages across runs: a status message from an earlier run (the store
      // resumes it after a restart) is shown again here and edited from now on.
      const fromEarlierRun = /^[a-z0-9]+:m\d+$/.test(ref.id) && !ref.id.startsWith(`${runTag}:`);
      if (!fromEarlierRun) throw new MessageGoneError(PLATFORM, `no message ${ref.id}`);
      show(view, ref, 'status', `(restored ${shortId(ref.id)} after a restart)`, undefined);
    },

    async reply(interaction: Interaction, view: View, _options: ReplyOptions) {
      // A reply is a message too: buttons on it can be pressed and it can be refreshed in place.
      const ref: MessageRef = { platform: PLATFORM, conversation: conversation.id, id: newMessageId() };
      show(view, ref, 'reply', undefined, replyCaptures.get(interaction.id));
    },
  };
  return adapter;
}
