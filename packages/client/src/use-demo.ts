import { ref } from 'vue';
import { useConnectionStore } from './connection.store.js';

/**
 * The demo's customer page ("Try it as a customer"), while the demo channel runs; null
 * otherwise. In a browser it is the host the inbox was loaded from, at the simulator's port,
 * so a colleague on another machine reaches it too.
 */
export function useDemo(location: { hostname: string } | undefined = globalThis.location) {
  const connection = useConnectionStore();
  const customerPageUrl = ref<string | null>(null);
  connection.api.demo().then(
    (info) => {
      // The simulator speaks plain HTTP, whatever the inbox is served over.
      customerPageUrl.value = info.customerPagePort && location ? `http://${location.hostname}:${info.customerPagePort}/` : info.customerPageUrl;
    },
    () => undefined,
  );
  return { customerPageUrl };
}
