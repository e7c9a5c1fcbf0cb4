import { onBeforeUnmount, onMounted } from 'vue';

/** A key the inbox answers. `key` is `KeyboardEvent.key`; `alt` keys work even while typing. */
export interface Shortcut {
  key: string;
  alt?: boolean;
  run: () => void;
}

/** Whether the agent is typing in a field: plain keys are theirs then, not shortcuts. */
export function isTypingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** The shortcut a key press means, or undefined (a browser or OS combination, or a key typed into a field). */
export function shortcutFor(event: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey' | 'target' | 'defaultPrevented' | 'isComposing'>, shortcuts: readonly Shortcut[]): Shortcut | undefined {
  if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey) return undefined;
  const typing = isTypingIn(event.target);
  return shortcuts.find((s) => s.key === event.key && !!s.alt === event.altKey && (s.alt || !typing));
}

/** Answers these shortcuts on the whole page while the calling component is mounted. */
export function useShortcuts(shortcuts: readonly Shortcut[]): void {
  const onKey = (event: KeyboardEvent) => {
    const shortcut = shortcutFor(event, shortcuts);
    if (!shortcut) return;
    event.preventDefault();
    shortcut.run();
  };
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
}
