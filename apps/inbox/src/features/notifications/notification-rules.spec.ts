import type { LiveEventFrame, NotificationSettings } from '@obrol/client';
import { describe, expect, it } from 'vitest';
import { type AgentContext, alertFor } from './notification-rules';

const settings: NotificationSettings = { newConversationSound: true, assignedToMe: true, everyMessage: false, desktop: true, messageSound: true };
const message = (direction: 'inbound' | 'outbound', assigneeId: string | null, conversationId = 'c1') =>
  ({
    type: 'message.created',
    channelAccountId: 'ch1',
    conversationId,
    data: { message: { id: 'm1', direction, content: { type: 'text', text: 'halo' } }, conversation: { id: conversationId, assigneeId, contact: { name: 'Sari' } } },
  }) as unknown as LiveEventFrame;
const ctx = (over: Partial<AgentContext> = {}): AgentContext => ({ meId: 'me', settings, openConversationId: null, focused: true, ...over });

describe('alertFor', () => {
  it('tells about customer messages in conversations assigned to me or to nobody', () => {
    expect(alertFor(message('inbound', 'me'), ctx())).toEqual({ desktop: true, sound: true });
    expect(alertFor(message('inbound', null), ctx())).toEqual({ desktop: true, sound: true });
    expect(alertFor(message('inbound', 'someone-else'), ctx())).toBeNull();
    expect(alertFor(message('outbound', 'me'), ctx())).toBeNull();
  });

  it('keeps quiet about the conversation I am looking at in a focused tab, not in a background one', () => {
    expect(alertFor(message('inbound', 'me'), ctx({ openConversationId: 'c1' }))).toBeNull();
    expect(alertFor(message('inbound', 'me'), ctx({ openConversationId: 'c1', focused: false }))).toEqual({ desktop: true, sound: true });
    expect(alertFor(message('inbound', 'me'), ctx({ openConversationId: 'c2' }))).toEqual({ desktop: true, sound: true });
  });

  it('follows each setting: desktop and sound apart, "every message" for others\' conversations (no sound)', () => {
    expect(alertFor(message('inbound', 'me'), ctx({ settings: { ...settings, desktop: false } }))).toEqual({ desktop: false, sound: true });
    expect(alertFor(message('inbound', 'me'), ctx({ settings: { ...settings, messageSound: false } }))).toEqual({ desktop: true, sound: false });
    expect(alertFor(message('inbound', 'me'), ctx({ settings: { ...settings, desktop: false, messageSound: false } }))).toBeNull();
    expect(alertFor(message('inbound', 'someone-else'), ctx({ settings: { ...settings, everyMessage: true } }))).toEqual({ desktop: true, sound: false });
  });

  it('tells me when a colleague or auto-assignment gives me a conversation, if I want to be told', () => {
    const assigned = { type: 'agent.assigned', channelAccountId: 'ch1', conversationId: 'c1', recipientAgentId: 'me', data: { conversation: { id: 'c1' }, byAgentId: 'ani' } } as unknown as LiveEventFrame;
    expect(alertFor(assigned, ctx())).toEqual({ desktop: true, sound: false });
    expect(alertFor(assigned, ctx({ settings: { ...settings, assignedToMe: false } }))).toBeNull();
    expect(alertFor(assigned, ctx({ openConversationId: 'c1' }))).toBeNull();
  });
});
