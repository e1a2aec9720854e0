import { createInterface, clearLine, cursorTo, type Interface } from 'node:readline';
import { MessageGoneError, PlatformError } from '../../src/core/adapter-errors.ts';
import type {
  AdapterLimits, Actor, ChatAdapter, Conversation, InboundContext, InboundHandlers, Interaction, MessageRef, ReplyOptions,
} from '../../src/core/adapter.ts';
import { SLASH_COMMAND } from '../../src/core/commands.ts';
import type { ButtonView, View } from '../../src/core/views.ts';
import { renderView } from './render.ts';

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
}

export interface ShellAdapter extends ChatAdapter {
  /** Runs one line as if typed; resolves with everything it rendered (replies, posts, edits). */
  exec(line: string): Promise<string>;
  /** Resolves when the REPL ends (`quit`, `exit`, end of input, or stop()). */
  readonly closed: Promise<void>;
  /** Lines run so far, oldest first, at most `historySize`. */
  history(): readonly string[];
  /** Who the shell user is, for the composition root's local-admin grant. */
  readonly localUser: { readonly platform: 'shell'; readonly userId: string };
}

const PLATFORM = 'shell';
const LIMITS: AdapterLimits = { minEditIntervalMs: 250, maxButtonsPerMessage: 100, maxTextLength: 20_000, ackDeadlineMs: 3000 };

interface NumberedButton {
  readonly button: ButtonView;
  readonly message: MessageRef | undefined;
}

export function createShellAdapter(opts: ShellAdapterOptions): ShellAdapter {
  const user = opts.user ?? 'local';
  const color = opts.color ?? false;
  const prompt = opts.prompt ?? 'meetme> ';
  const historySize = opts.historySize ?? 100;
  const actor: Actor = { platform: PLATFORM, userId: user, displayName: user, groups: [] };
  const conversation: Conversation = { platform: PLATFORM, id: 'terminal' };

  let inbound: InboundHandlers | undefined;
  let rl: Interface | undefined;
  let nextId = 1;
  const messages = new Map<string, View>();
  const lines: string[] = [];
  let buttons: readonly NumberedButton[] = [];
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

  const show = (view: View, ref: MessageRef | undefined, heading: string | undefined, capture: string[] | undefined): void => {
    const rendered = renderView(view, { color });
    if (rendered.buttons.length > 0) buttons = rendered.buttons.map((button) => ({ button, message: ref }));
    const text = heading === undefined ? rendered.text : `${heading}\n${rendered.text}`;
    print(text);
    const plain = color ? renderView(view, { color: false }).text : rendered.text;
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

  const runLine = async (line: string, out: string[]): Promise<void> => {
    const text = line.trim();
    if (text !== '') {
      lines.push(text);
      if (lines.length > historySize) lines.splice(0, lines.length - historySize);
    }
    if (pendingConfirm !== undefined) {
      const chosen = pendingConfirm;
      pendingConfirm = undefined;
      if (/^y(es)?$/i.test(text)) await dispatchAction(chosen, out);
      else say('Cancelled.', out);
      return;
    }
    if (text === '') return;
    if (/^(quit|exit)$/i.test(text)) {
      say('Bye.', out);
      close();
      return;
    }
    const press = /^press\s+(\S+)$/i.exec(text);
    if (press !== null) {
      const n = Number(press[1]);
      const chosen = Number.isInteger(n) ? buttons[n - 1] : undefined;
      if (chosen === undefined) {
        say(buttons.length === 0 ? 'No buttons to press yet.' : `No button ${press[1]}: choose 1 to ${buttons.length}.`, out);
        return;
      }
      if (chosen.button.confirm !== undefined) {
        pendingConfirm = chosen;
        say(`${chosen.button.confirm.title} ${chosen.button.confirm.text} [${chosen.button.confirm.confirm}: y / ${chosen.button.confirm.deny}: n]`, out);
        return;
      }
      await dispatchAction(chosen, out);
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

  const dispatchAction = async (chosen: NumberedButton, out: string[]): Promise<void> => {
    const ctx = context(chosen.message);
    replyCaptures.set(ctx.interaction.id, out);
    try {
      await (inbound as InboundHandlers).action(ctx, chosen.button.id);
    } finally {
      replyCaptures.delete(ctx.interaction.id);
    }
  };

  const exec = (line: string): Promise<string> => {
    if (inbound === undefined) return Promise.reject(new PlatformError(PLATFORM, 'exec before start', false));
    const out: string[] = [];
    // Lines run one at a time, in order, like a person typing them.
    const done = queue.then(async () => {
      captures.add(out);
      handlingLine = true;
      try {
        await runLine(line, out);
      } finally {
        handlingLine = false;
        captures.delete(out);
      }
      return out.join('\n');
    });
    queue = done.catch(() => undefined);
    return done;
  };

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
    exec,

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
      const ref: MessageRef = { platform: PLATFORM, conversation: conversation.id, id: `m${nextId++}` };
      messages.set(ref.id, view);
      show(view, ref, undefined, undefined);
      return ref;
    },

    async update(ref, view) {
      if (!messages.has(ref.id)) throw new MessageGoneError(PLATFORM, `no message ${ref.id}`);
      messages.set(ref.id, view);
      show(view, ref, `(updated ${ref.id})`, undefined);
    },

    async reply(interaction: Interaction, view: View, _options: ReplyOptions) {
      // A reply is a message too: buttons on it can be pressed and it can be refreshed in place.
      const ref: MessageRef = { platform: PLATFORM, conversation: conversation.id, id: `m${nextId++}` };
      messages.set(ref.id, view);
      show(view, ref, undefined, replyCaptures.get(interaction.id));
    },
  };
  return adapter;
}
