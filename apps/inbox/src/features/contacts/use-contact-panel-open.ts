import { ref } from 'vue';

const KEY = 'obrol.contactPanel';
/** Wide enough for the thread and the panel side by side. */
const WIDE = '(min-width: 1101px)';

/** Shared by every thread: the agent's last choice, kept in this browser. */
const open = ref<boolean>(readChoice());

function readChoice(): boolean {
  const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
  if (stored === 'open' || stored === 'closed') return stored === 'open';
  // Until the agent chooses: open where there is room beside the thread, closed on tablets.
  return typeof matchMedia === 'function' && matchMedia(WIDE).matches;
}

/** Whether the contact panel shows beside the thread; the agent's toggle is remembered. */
export function useContactPanelOpen() {
  return {
    open,
    toggle() {
      open.value = !open.value;
      localStorage.setItem(KEY, open.value ? 'open' : 'closed');
    },
  };
}
