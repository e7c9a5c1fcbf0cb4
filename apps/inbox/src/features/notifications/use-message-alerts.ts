import { type ConversationView, type LiveEventFrame, type NotificationSettings, useRealtime, useSessionStore, useTeamStore } from '@obrol/client';
import { previewOf } from '@obrol/contracts';
import { useI18n } from 'vue-i18n';
import { useRoute, useRouter } from 'vue-router';
import { alertFor } from './notification-rules';
import soundUrl from './new-message.wav';

const ALL_ON: NotificationSettings = { newConversationSound: true, assignedToMe: true, everyMessage: false, desktop: true, messageSound: true };

/**
 * Desktop notifications and a sound for new customer messages, and a notification when someone
 * else assigns the agent a conversation, by the agent's notification settings. Permission is asked from the settings toggle (never on load); without it only the
 * sound plays. Clicking a notification opens its conversation.
 */
export function useMessageAlerts() {
  const session = useSessionStore();
  const route = useRoute();
  const router = useRouter();
  const team = useTeamStore();
  const { t } = useI18n();
  const sound = typeof Audio === 'function' ? new Audio(soundUrl) : null;

  /** The words of a notification: who wrote, or who assigned what. */
  function wordsOf(event: Extract<LiveEventFrame, { type: 'message.created' | 'agent.assigned' }>): { title: string; body: string } {
    const conversation: ConversationView = event.data.conversation;
    const name = conversation.contact.name ?? conversation.contact.phone ?? conversation.contact.externalId;
    if (event.type === 'message.created') return { title: t('notify.newMessage', { name }), body: previewOf(event.data.message.content).slice(0, 140) };
    const by = event.data.byAgentId ? team.nameOf(event.data.byAgentId) : null;
    return { title: by ? t('notify.assignedBy', { agent: by, name }) : t('notify.assigned', { name }), body: conversation.lastMessagePreview ?? '' };
  }

  function notify(event: Extract<LiveEventFrame, { type: 'message.created' | 'agent.assigned' }>) {
    if (typeof Notification !== 'function' || Notification.permission !== 'granted') return;
    const conversation = event.data.conversation;
    const { title, body } = wordsOf(event);
    // `tag` folds a burst of notifications of one conversation into one.
    const shown = new Notification(title, { body, tag: conversation.id });
    shown.onclick = () => {
      window.focus();
      void router.push({ name: 'conversation', params: { id: conversation.id } });
      shown.close();
    };
  }

  useRealtime().onEvent((event) => {
    const alert = alertFor(event, {
      meId: session.agent?.id ?? null,
      settings: { ...ALL_ON, ...session.agent?.notifications },
      openConversationId: typeof route.params.id === 'string' ? route.params.id : null,
      focused: document.visibilityState === 'visible' && document.hasFocus(),
    });
    if (!alert || (event.type !== 'message.created' && event.type !== 'agent.assigned')) return;
    if (alert.desktop) notify(event);
    // Browsers refuse to play before the agent has interacted with the page; that is fine.
    if (alert.sound && sound) void sound.play().catch(() => undefined);
  });
}
