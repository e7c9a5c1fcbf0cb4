import type { LiveEventFrame, NotificationSettings } from '@obrol/client';

/** What the agent is doing when a live event arrives. */
export interface AgentContext {
  meId: string | null;
  settings: NotificationSettings;
  /** The conversation open in this tab, if any. */
  openConversationId: string | null;
  /** The tab is visible and has focus. */
  focused: boolean;
}

/** How to tell the agent about an event: a desktop notification, a sound, both or neither. */
export interface Alert {
  desktop: boolean;
  sound: boolean;
}

/**
 * Whether an event is worth interrupting the agent for. A new customer message: in a
 * conversation assigned to them or to nobody (or any conversation, with "every message" on).
 * A conversation a colleague or auto-assignment gave them: with "assigned to me" on. Never
 * the conversation they are looking at in a focused tab. Each way of telling has its own setting.
 */
export function alertFor(event: LiveEventFrame, ctx: AgentContext): Alert | null {
  if (event.type === 'agent.assigned') {
    if (ctx.focused && ctx.openConversationId === event.conversationId) return null;
    return ctx.settings.assignedToMe ? { desktop: true, sound: false } : null;
  }
  if (event.type !== 'message.created' || event.data.message.direction !== 'inbound') return null;
  const conversation = event.data.conversation;
  if (ctx.focused && ctx.openConversationId === conversation.id) return null;
  const mineOrNobodys = conversation.assigneeId === null || conversation.assigneeId === ctx.meId;
  const desktop = (mineOrNobodys && ctx.settings.desktop) || ctx.settings.everyMessage;
  const sound = mineOrNobodys && ctx.settings.messageSound;
  return desktop || sound ? { desktop, sound } : null;
}
