import { type ChannelAccountView, type ChannelRestrictionView, type ConversationView, type MessageView, type SendMessageInput, channelRestriction, isApiError } from '@obrol/client';
import type { SessionContent } from '@obrol/contracts';
import type { TemplateSend } from '@obrol/ui';
import { type Ref, computed, ref, toValue, watch, type MaybeRefOrGetter } from 'vue';

/** Why the last send or action failed, for the thread to word: a value, not an exception. */
export interface ReplyFailure {
  kind: 'send' | 'action';
  message: string;
  /** The API's error code, for the thread to put in words; absent for errors that are not the API's. */
  code?: string;
}

export interface ReplyOptions {
  conversationId: MaybeRefOrGetter<string>;
  conversation: Ref<ConversationView | null>;
  now: Ref<Date>;
  send: (input: SendMessageInput) => Promise<MessageView>;
  /** Reloads the conversation, so its window reflects the server's view again. */
  refreshConversation: () => Promise<void>;
  /** What the provider restricts the conversation's number from sending now (its channel's view, by the clock). */
  restriction: Ref<ChannelRestrictionView | null>;
  /** Reads the number again (after the server refused a send because of a restriction), returning it. */
  refreshChannel: () => Promise<ChannelAccountView | null>;
  /** After a message was accepted (e.g. to scroll to it). */
  onSent?: () => void | Promise<void>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const codeOf = (error: unknown) => (isApiError(error) ? error.code : undefined);
const failureOf = (kind: ReplyFailure['kind'], error: unknown): ReplyFailure => {
  const code = codeOf(error);
  return { kind, message: messageOf(error), ...(code ? { code } : {}) };
};

/**
 * The reply box of a thread: the draft, whether the window is open (the server's `canReply`,
 * the window's expiry by the clock, or a WINDOW_CLOSED refusal), whether a session message or a
 * template may go (the window, and what the provider restricts the number from sending), and
 * sending text, a template or a conversation action.
 */
export function useReply(options: ReplyOptions) {
  const draft = ref('');
  const sending = ref(false);
  const failure = ref<ReplyFailure | null>(null);
  /** Set when the API refused a reply with WINDOW_CLOSED: its message, until the window reopens. */
  const windowClosedMessage = ref<string | null>(null);
  const showTemplates = ref(false);
  /** The message this reply quotes (sent with the provider's context), until sent or cancelled. */
  const replyTo = ref<MessageView | null>(null);
  const withReplyTo = (input: SendMessageInput): SendMessageInput => (replyTo.value ? { ...input, replyToMessageId: replyTo.value.id } : input);

  const windowExpired = computed(() => {
    const expiresAt = options.conversation.value?.window.expiresAt;
    return !!expiresAt && Date.parse(expiresAt) <= options.now.value.getTime();
  });
  const windowOpen = computed(() => !!options.conversation.value?.canReply && !windowExpired.value && !windowClosedMessage.value);
  /** A session message may go: the window is open and the number may answer customers. */
  const canReply = computed(() => windowOpen.value && !options.restriction.value?.customerInitiated);
  /** A template may go: inside the window, or the number may start conversations. */
  const canSendTemplate = computed(() => windowOpen.value || !options.restriction.value?.businessInitiated);

  watch(
    () => toValue(options.conversationId),
    () => {
      draft.value = '';
      failure.value = null;
      windowClosedMessage.value = null;
      showTemplates.value = false;
      replyTo.value = null;
    },
  );
  // A new customer message reopens the window: the server's view says so again.
  watch(
    () => options.conversation.value?.lastInboundAt,
    (next, prev) => {
      if (prev !== undefined && next !== prev) windowClosedMessage.value = null;
    },
  );

  async function deliver(input: SendMessageInput): Promise<boolean> {
    sending.value = true;
    failure.value = null;
    try {
      await options.send(withReplyTo(input));
      replyTo.value = null;
      await options.onSent?.();
      return true;
    } catch (error) {
      if (isApiError(error, 'WINDOW_CLOSED')) {
        windowClosedMessage.value = error.message;
        void options.refreshConversation();
      } else if (isApiError(error, 'CHANNEL_RESTRICTED')) {
        // The number's restriction, read again, says what and until when; a bare failure only if it does not.
        if (!channelRestriction(await options.refreshChannel(), options.now.value)) failure.value = failureOf('send', error);
      } else failure.value = failureOf('send', error);
      return false;
    } finally {
      sending.value = false;
    }
  }

  async function sendText(text: string): Promise<void> {
    if (await deliver({ content: { type: 'text', text } })) draft.value = '';
  }

  /** Sends what `prepare` builds (e.g. after uploading an attachment); a failed preparation is a failed send. */
  async function sendContent(prepare: () => Promise<SessionContent>): Promise<boolean> {
    sending.value = true;
    failure.value = null;
    let content: SessionContent;
    try {
      content = await prepare();
    } catch (error) {
      failure.value = failureOf('send', error);
      sending.value = false;
      return false;
    }
    const sent = await deliver({ content });
    if (sent) draft.value = '';
    return sent;
  }

  /** Sends a template; true when it was accepted (the picker then starts over). */
  async function sendTemplate(template: TemplateSend): Promise<boolean> {
    if (sending.value) return false;
    const sent = await deliver({ template });
    if (sent) showTemplates.value = false;
    return sent;
  }

  /** Runs a conversation action (assign, resolve…), keeping its failure for the thread to show. */
  async function act(action: () => Promise<void>): Promise<void> {
    failure.value = null;
    try {
      await action();
    } catch (error) {
      failure.value = failureOf('action', error);
    }
  }

  return { draft, sending, failure, windowClosedMessage, showTemplates, replyTo, windowOpen, canReply, canSendTemplate, sendText, sendContent, sendTemplate, act };
}
