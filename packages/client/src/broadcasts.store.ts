import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { type ApiError, toApiError } from './api-error.js';
import type { BroadcastDraft, BroadcastStatus, BroadcastView } from './broadcast-views.js';
import { useConnectionStore } from './connection.store.js';
import type { LiveEventFrame } from './views.js';

/**
 * Broadcasts the app has seen, by id, kept current by `broadcast.progress` live events: an event
 * replaces the counters and status of the one broadcast it names, with no refetch.
 */
export const useBroadcastsStore = defineStore('obrol/broadcasts', () => {
  const connection = useConnectionStore();
  const byId = ref<Record<string, BroadcastView>>({});
  const listIds = shallowRef<string[]>([]);
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const error = ref<ApiError | null>(null);
  let subscribed = false;

  function remember(view: BroadcastView): BroadcastView {
    byId.value[view.id] = view;
    return view;
  }

  async function loadList(filters: { status?: BroadcastStatus } = {}, more = false): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      const page = await connection.api.listBroadcasts(filters, { limit: 50, cursor: more ? nextCursor.value ?? undefined : undefined });
      page.items.forEach(remember);
      listIds.value = more ? [...listIds.value, ...page.items.map((b) => b.id)] : page.items.map((b) => b.id);
      nextCursor.value = page.nextCursor;
    } catch (e) {
      error.value = toApiError(e);
    } finally {
      loading.value = false;
    }
  }

  async function load(id: string): Promise<BroadcastView> {
    return remember(await connection.api.getBroadcast(id));
  }

  /** Changes a draft: only the fields in `patch`; the others stay as the server has them. */
  async function update(id: string, patch: Partial<BroadcastDraft>): Promise<BroadcastView> {
    return remember(await connection.api.updateBroadcast(id, patch));
  }

  /**
   * Applies a live event; true when it concerned a broadcast. A change of status also moves
   * times the event does not carry (when a start is due, when it started or finished): they are
   * read once then, and the rest is taken from the event, which is the fresher.
   */
  function apply(event: LiveEventFrame): boolean {
    if (event.type !== 'broadcast.progress') return false;
    const known = byId.value[event.data.broadcastId];
    if (!known) return true;
    const { counters, status, reason, reasonCode = null, reasonParams = null, planning = null } = event.data;
    byId.value[known.id] = { ...known, counters, status, reason, reasonCode, reasonParams, planning };
    if (status !== known.status) void refreshTimes(known.id);
    return true;
  }

  async function refreshTimes(id: string): Promise<void> {
    try {
      const { scheduledAt, scheduledLocal, timeZone, startedAt, finishedAt } = await connection.api.getBroadcast(id);
      const current = byId.value[id];
      if (current) byId.value[id] = { ...current, scheduledAt, scheduledLocal, timeZone, startedAt, finishedAt };
    } catch {
      // The next change of status, or the next visit, reads them again.
    }
  }

  /** Listens to the realtime socket once for the app's lifetime; refetches what it shows on reconnect. */
  function subscribe(): void {
    if (subscribed) return;
    subscribed = true;
    connection.realtime.onEvent((event) => apply(event));
    connection.realtime.onReconnected(() => {
      for (const id of Object.keys(byId.value)) void load(id).catch(() => undefined);
    });
  }

  return { byId, listIds, nextCursor, loading, error, remember, loadList, load, update, apply, subscribe };
});
