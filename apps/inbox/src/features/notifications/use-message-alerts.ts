import { type LiveEventFrame, type NotificationSettings, useRealtime, useSessionStore } from '@obrol/client';
import { previewOf } from '@obrol/contracts';
import { useI18n } from 'vue-i18n';
import { useRoute, useRouter } from 'vue-router';
import { alertFor } from './notification-rules';
import soundUrl from './new-message.wav';

const ALL_ON: NotificationSettings = { newConversationSound: true, assignedToMe: true, everyMessage: false, desktop: true, messageSound: true };

/**
 * Desktop notifications and a sound for new customer messages, by the agent's notification
 * settings. Permission is asked from the settings toggle (never on load); without it only the
 * sound plays. Clicking a notification opens its conversation.
 */
export function useMessageAlerts() {
  const session = useSessionStore();
  const route = useRoute();
  const router = useRouter();
  const { t } = useI18n();
  const sound = typeof Audio === 'function' ? new Audio(soundUrl) : null;

  function notify(event: Extract<LiveEventFrame, { type: 'message.created' }>) {
    if (typeof Notification !== 'function' || Notification.permission !== 'granted') return;
    const { conversation, message } = event.data;
    const name = conversation.contact.name ?? conversation.contact.phone ?? conversation.contact.externalId;
    // `tag` folds a burst of messages of one conversation into one notification.
    const shown = new Notification(t('notify.newMessage', { name }), { body: previewOf(message.content).slice(0, 140), tag: conversation.id });
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
    if (!alert || event.type !== 'message.created') return;
    if (alert.desktop) notify(event);
    // Browsers refuse to play before the agent has interacted with the page; that is fine.
    if (alert.sound && sound) void sound.play().catch(() => undefined);
  });
}
