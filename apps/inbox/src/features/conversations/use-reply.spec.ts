import { ApiError, type ConversationView, type MessageView, type SendMessageInput } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import { useReply } from './use-reply';

const conversation = (over: Partial<ConversationView> = {}): ConversationView => ({
  id: 'c1', channelAccountId: 'ch1', contact: { id: 'k1', name: 'Sari', phone: '+62811', externalId: '62811' }, status: 'open', assigneeId: null, snoozedUntil: null, tags: [],
  lastInboundAt: '2026-01-01T09:00:00.000Z', lastMessageAt: '2026-01-01T09:00:00.000Z', lastMessagePreview: 'Halo', unreadCount: 0,
  window: { open: true, expiresAt: '2026-01-02T09:00:00.000Z', closingSoon: false }, canReply: true, createdAt: '2026-01-01T08:00:00.000Z', ...over,
});

function setup(send: (input: SendMessageInput) => Promise<MessageView>) {
  const id = ref('c1');
  const current = ref<ConversationView | null>(conversation());
  const now = ref(new Date('2026-01-01T10:00:00.000Z'));
  const log: string[] = [];
  let reply!: ReturnType<typeof useReply>;
  mount(
    defineComponent({
      setup() {
        reply = useReply({ conversationId: id, conversation: current, now, send, refreshConversation: async () => void log.push('refresh'), onSent: () => void log.push('sent') });
        return () => h('div');
      },
    }),
  );
  return { reply, id, current, now, log };
}

const accepted = (async () => ({}) as MessageView) as (input: SendMessageInput) => Promise<MessageView>;

describe('useReply', () => {
  it('sends the text, clears the draft and reports the send', async () => {
    const sent: SendMessageInput[] = [];
    const { reply, log } = setup(async (input) => (sent.push(input), {} as MessageView));
    reply.draft.value = 'Siap kak';
    await reply.sendText('Siap kak');
    expect(sent).toEqual([{ content: { type: 'text', text: 'Siap kak' } }]);
    expect(reply.draft.value).toBe('');
    expect(reply.sending.value).toBe(false);
    expect(log).toEqual(['sent']);
  });

  it('keeps the draft and the reason when sending fails', async () => {
    const { reply, log } = setup(async () => {
      throw new ApiError('CHANNEL_UNAVAILABLE', 'The channel is down.', 503);
    });
    reply.draft.value = 'Halo';
    await reply.sendText('Halo');
    expect(reply.draft.value).toBe('Halo');
    expect(reply.failure.value).toEqual({ kind: 'send', message: 'The channel is down.', code: 'CHANNEL_UNAVAILABLE' });
    expect(reply.canReply.value).toBe(true);
    expect(log).toEqual([]);
  });

  it('closes the reply on WINDOW_CLOSED with the API\'s message, refetches, and reopens when the customer writes', async () => {
    const { reply, current, log } = setup(async () => {
      throw new ApiError('WINDOW_CLOSED', 'The window closed at 09:00.', 422);
    });
    await reply.sendText('Masih di sana?');
    expect(reply.canReply.value).toBe(false);
    expect(reply.windowClosedMessage.value).toBe('The window closed at 09:00.');
    expect(reply.failure.value).toBeNull();
    expect(log).toEqual(['refresh']);

    current.value = conversation({ lastInboundAt: '2026-01-01T10:05:00.000Z' });
    await flushPromises();
    expect(reply.windowClosedMessage.value).toBeNull();
    expect(reply.canReply.value).toBe(true);
  });

  it('stops offering a free-form reply when the clock passes the window\'s end', async () => {
    const { reply, now } = setup(accepted);
    now.value = new Date('2026-01-02T08:59:59.000Z');
    expect(reply.canReply.value).toBe(true);
    now.value = new Date('2026-01-02T09:00:01.000Z');
    expect(reply.canReply.value).toBe(false);
  });

  it('hides the template picker after a template was sent', async () => {
    const { reply } = setup(accepted);
    reply.showTemplates.value = true;
    await reply.sendTemplate({ name: 'hello_world', language: 'en_US', parameters: {} });
    expect(reply.showTemplates.value).toBe(false);
  });

  it('keeps an action\'s failure apart from a send failure', async () => {
    const { reply } = setup(accepted);
    await reply.act(async () => {
      throw new ApiError('FORBIDDEN', 'Only admins may do that.', 403);
    });
    expect(reply.failure.value).toEqual({ kind: 'action', message: 'Only admins may do that.', code: 'FORBIDDEN' });
    await reply.act(async () => undefined);
    expect(reply.failure.value).toBeNull();
  });

  it('starts clean on another conversation', async () => {
    const { reply, id } = setup(async () => {
      throw new ApiError('WINDOW_CLOSED', 'closed', 422);
    });
    reply.draft.value = 'half-written';
    reply.showTemplates.value = true;
    await reply.sendText('x');
    id.value = 'c2';
    await flushPromises();
    expect([reply.draft.value, reply.showTemplates.value, reply.windowClosedMessage.value, reply.failure.value]).toEqual(['', false, null, null]);
  });
});
