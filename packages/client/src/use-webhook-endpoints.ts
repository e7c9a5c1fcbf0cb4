import { ref, shallowRef } from 'vue';
import { type ApiError, toApiError } from './api-error.js';
import { useApiList } from './use-api-list.js';
import { useConnectionStore } from './connection.store.js';
import type { WebhookEndpointInput, WebhookEndpointPatch } from './api-client.js';
import type { WebhookDeliveryView, WebhookEndpointView, WebhookEventType } from './views.js';

/** Outbound webhook endpoints: the event catalogue, endpoints, their recent deliveries, replay. */
export function useWebhookEndpoints() {
  const connection = useConnectionStore();
  const endpoints = useApiList<WebhookEndpointView>(() => connection.api.listWebhookEndpoints());
  const events = useApiList<WebhookEventType>(() => connection.api.listWebhookEvents());
  const deliveries = shallowRef<WebhookDeliveryView[]>([]);
  const deliveriesError = ref<ApiError | null>(null);

  /** Returns the signing secret: shown once. */
  async function create(input: WebhookEndpointInput): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
    const { secret, ...endpoint } = await connection.api.createWebhookEndpoint(input);
    await endpoints.refresh();
    return { endpoint, secret };
  }

  async function update(id: string, patch: WebhookEndpointPatch): Promise<void> {
    await connection.api.updateWebhookEndpoint(id, patch);
    await endpoints.refresh();
  }

  async function remove(id: string): Promise<void> {
    await connection.api.deleteWebhookEndpoint(id);
    await endpoints.refresh();
  }

  async function rotateSecret(id: string): Promise<string> {
    return (await connection.api.rotateWebhookSecret(id)).secret;
  }

  async function sendTest(id: string): Promise<void> {
    await connection.api.testWebhookEndpoint(id);
  }

  async function loadDeliveries(endpointId: string): Promise<void> {
    try {
      // The endpoints too: their "last delivery" line should agree with the list.
      const [list] = await Promise.all([connection.api.listWebhookDeliveries(endpointId), endpoints.refresh()]);
      deliveries.value = list.data;
      deliveriesError.value = null;
    } catch (e) {
      deliveriesError.value = toApiError(e);
    }
  }

  async function replay(deliveryId: string, endpointId: string): Promise<void> {
    await connection.api.replayWebhookDelivery(deliveryId);
    await loadDeliveries(endpointId);
  }

  return {
    endpoints: endpoints.items,
    events: events.items,
    loading: endpoints.loading,
    error: endpoints.error,
    refresh: endpoints.refresh,
    deliveries,
    deliveriesError,
    create,
    update,
    remove,
    rotateSecret,
    sendTest,
    loadDeliveries,
    replay,
  };
}
