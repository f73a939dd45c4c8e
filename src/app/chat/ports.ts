import type { Actor, PlatformId } from '../../domain/identity/actor';
import type { Card, CardTable } from '../../domain/cards/card';
import type { Lang } from '../../domain/runbooks/text';

/**
 * The contract between the platform-neutral chat core (src/chat) and the adapters (adapters/slack,
 * adapters/teams, adapters/console). Adapters translate their platform's requests into `ChatCore`
 * calls and render what comes back; the core never sees a platform type.
 */

/** A channel as the core knows it: the platform and that platform's opaque id for it. */
export interface ChannelRef {
  platform: PlatformId;
  /** Slack channel id (C…), Teams conversation id, console room name. */
  id: string;
}

/** A message the bot posted, so it can be updated in place and answered in its thread. */
export interface MessageRef {
  platform: PlatformId;
  channel: string;
  /** Slack message ts, Teams activity id, console message id. */
  messageId: string;
}

/** A block of preformatted text (command output): renderers show it as a code block. */
export interface CodeBlock {
  title?: string | undefined;
  body: string;
  /** Set when `body` was cut to fit: the full length, and where the whole can be read. */
  truncatedFrom?: number | undefined;
  fullTextUrl?: string | undefined;
  /**
   * The raw output that the reply's `tables` were parsed from: a surface that can fold content
   * (Teams' ShowCard, the console's details) puts it behind a click; others show it after them.
   */
  raw?: boolean | undefined;
}

/** A message that is not an incident card: command answers, step outputs, errors. */
export interface Reply {
  /** Plain text; also the notification / fallback text. */
  text: string;
  code?: CodeBlock[] | undefined;
  /** Parsed output as tables (server health rows, database copies); `code` keeps the raw text. */
  tables?: CardTable[] | undefined;
  /** A card to show with it (a runbook card, the help card). */
  card?: Card | undefined;
  /** The language of its texts, for the few words a surface adds ("Raw output", "3 more rows"). */
  lang?: Lang | undefined;
}

/** What the core answers to a command or a click. Every field is optional. */
export interface ChatResponse {
  /**
   * Seen only by the person who acted: Slack ephemeral, Teams private reply, a console message
   * only they see.
   */
  private?: Reply | undefined;
  /** Posted to the channel (or the thread of `MessageRef` when the click came from a card). */
  public?: Reply | undefined;
  /**
   * The card the click came from, redrawn for everyone. Teams returns it from Action.Execute;
   * Slack and the console update the message. Incident cards are also redrawn by the delivery
   * queue, so an adapter may ignore this when it has no cheap way to use it.
   */
  updatedCard?: Card | undefined;
}

/** Extra input a click may carry, collected by the adapter. */
export interface ActionInput {
  /** A reject reason or a break-glass reason (see `CardAction.needsReason`). */
  reason?: string | undefined;
  /** The person confirmed a destructive step in the adapter's confirm dialog. */
  confirmed?: boolean | undefined;
}

/** The core's entry points; one instance per bot process, shared by all adapters. */
export interface ChatCore {
  /** `/exchange <text>` in Slack, an @mention or 1:1 message in Teams, the console's command box. */
  command(input: { actor: Actor; channel: ChannelRef; text: string }): Promise<ChatResponse>;
  /** A button press: `value` is the `CardAction.value` given back, untrusted. */
  action(input: {
    actor: Actor;
    channel: ChannelRef;
    value: string;
    input?: ActionInput | undefined;
    /** The message the button was on, when the platform says. */
    message?: MessageRef | undefined;
  }): Promise<ChatResponse>;
  /** The channel's language, for the few words an adapter says itself (its own errors). */
  langOf?(channel: ChannelRef): Promise<Lang>;
}

/**
 * An adapter's outgoing side, used by the durable delivery queue (one BullMQ job per incident
 * change and platform). Methods throw on failure; a `ChatDeliveryError` with `retryAfterMs`
 * (Slack / Teams 429) makes the queue wait that long before the retry. Nothing is lost: a job
 * is only completed after the platform accepted the message.
 */
export interface ChatSurface {
  platform: PlatformId;
  postCard(channel: string, card: Card): Promise<MessageRef>;
  updateCard(ref: MessageRef, card: Card): Promise<void>;
  /** A reply in the thread of an earlier message (step outputs under the incident card). */
  postInThread(ref: MessageRef, reply: Reply): Promise<void>;
  /** A new message in a channel (the answer to an asynchronous command). */
  postToChannel(channel: string, reply: Reply): Promise<void>;
}

export class ChatDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    /** False for errors a retry cannot fix (channel not found, not in channel). */
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'ChatDeliveryError';
  }
}
