import { ApiError, type ChannelAccountView, type ChannelRestrictionView, type ConversationView, type MessageView, type SendMessageInput } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import { useReply } from './use-reply';

const conversation = (over: Partial<ConversationView> = {}): ConversationView => ({
  id: 'c1', channelAccountId: 'ch1', contact: { id: 'k1', name: 'Sari', phone: '+62811', externalId: '62811' }, status: 'open', assigneeId: null, snoozedUntil: null, tags: [],
  lastInboundAt: '2026-01-01T09:00:00.000Z', lastMessageAt: '2026-01-01T09:00:00.000Z', lastMessagePreview: 'Halo', unreadCount: 0,
  window: { open: true, expiresAt: '2026-01-02T09:00:00.000Z', closingSoon: false }, canReply: true, createdAt: '2026-01-01T08:00:00.000Z', ...over,
});

const answering: ChannelRestrictionView = { businessInitiated: false, customerInitiated: true, until: '2026-01-01T18:00:00.000Z', since: '2026-01-01T09:30:00.000Z', description: 'x' };

function setup(send: (input: SendMessageInput) => Promise<MessageView>, reread: ChannelRestrictionView | null = null) {
  const id = ref('c1');
  const current = ref<ConversationView | null>(conversation());
  const now = ref(new Date('2026-01-01T10:00:00.000Z'));
  const restriction = ref<ChannelRestrictionView | null>(null);
  const log: string[] = [];
  const refreshChannel = async () => {
    log.push('refresh channel');
    restriction.value = reread;
    return { id: 'ch1', restriction: reread } as ChannelAccountView;
  };
  let reply!: ReturnType<typeof useReply>;
  mount(
    defineComponent({
      setup() {
        reply = useReply({ conversationId: id, conversation: current, now, send, refreshConversation: async () => void log.push('refresh'), restriction, refreshChannel, onSent: () => void log.push('sent') });
        return () => h('div');
      },
    }),
  );
  return { reply, id, current, now, restriction, log };
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

  it('offers no reply, but templates, while the number may not answer customers; none to a closed window while it may not start conversations', async () => {
    const { reply, restriction, now } = setup(accepted);
    restriction.value = answering;
    expect([reply.windowOpen.value, reply.canReply.value, reply.canSendTemplate.value]).toEqual([true, false, true]);
    restriction.value = { ...answering, customerInitiated: false, businessInitiated: true };
    expect([reply.canReply.value, reply.canSendTemplate.value]).toEqual([true, true]);
    now.value = new Date('2026-01-02T09:00:01.000Z');
    expect([reply.windowOpen.value, reply.canReply.value, reply.canSendTemplate.value]).toEqual([false, false, false]);
  });

  it('reads the number again on CHANNEL_RESTRICTED: its restriction says why, so no bare failure; a bare one if it is not restricted', async () => {
    const refused = async (): Promise<MessageView> => {
      throw new ApiError('CHANNEL_RESTRICTED', 'WhatsApp restricted this number from answering customers.', 422);
    };
    const restricted = setup(refused, answering);
    restricted.reply.draft.value = 'Halo';
    await restricted.reply.sendText('Halo');
    expect(restricted.log).toEqual(['refresh channel']);
    expect(restricted.reply.failure.value).toBeNull();
    expect(restricted.reply.canReply.value).toBe(false);
    expect(restricted.reply.draft.value).toBe('Halo');

    const lifted = setup(refused, null);
    await lifted.reply.sendText('Halo');
    expect(lifted.reply.failure.value).toMatchObject({ kind: 'send', code: 'CHANNEL_RESTRICTED' });
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
