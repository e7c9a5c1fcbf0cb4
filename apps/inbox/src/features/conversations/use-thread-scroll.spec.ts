import type { MessageView } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import { useThreadScroll } from './use-thread-scroll';

const msg = (id: string, direction: MessageView['direction'] = 'inbound'): MessageView => ({
  id, conversationId: 'c1', channelAccountId: 'ch1', direction, content: { type: 'text', text: id }, status: 'received', error: null,
  externalId: null, replyToExternalId: null, sentByAgentId: null, createdAt: '2026-01-01T10:00:00.000Z', providerTimestamp: null,
});

/** happy-dom lays nothing out: the test sets the heights a browser would measure. */
function fakeLayout(el: HTMLElement, layout: { scrollHeight: number; clientHeight: number }) {
  Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => layout.scrollHeight });
  Object.defineProperty(el, 'clientHeight', { configurable: true, get: () => layout.clientHeight });
}

function setup() {
  const id = ref('c1');
  const messages = ref<MessageView[]>([]);
  const hasOlder = ref(true);
  const loadingOlder = ref(false);
  const layout = { scrollHeight: 1000, clientHeight: 400 };
  let olderLoads = 0;
  let scroll!: ReturnType<typeof useThreadScroll>;
  const wrapper = mount(
    defineComponent({
      setup() {
        scroll = useThreadScroll({
          conversationId: id, messages, hasOlder, loadingOlder,
          loadOlder: async () => {
            olderLoads++;
            messages.value = [msg(`old${olderLoads}`), ...messages.value];
            layout.scrollHeight += 500;
          },
        });
        return () => h('div', { ref: scroll.scroller });
      },
    }),
  );
  const el = wrapper.element as HTMLElement;
  fakeLayout(el, layout);
  return { scroll, el, id, messages, hasOlder, layout, olderLoads: () => olderLoads };
}

describe('useThreadScroll', () => {
  it('opens a conversation at its newest message', async () => {
    const { el, messages } = setup();
    messages.value = [msg('m1'), msg('m2')];
    await flushPromises();
    expect(el.scrollTop).toBe(1000);
  });

  it('follows a new message only when the agent reads the bottom, or sent it', async () => {
    const { el, messages, layout } = setup();
    messages.value = [msg('m1')];
    await flushPromises();

    el.scrollTop = 100; // reading older messages, far from the bottom
    layout.scrollHeight = 1100;
    messages.value = [...messages.value, msg('m2')];
    await flushPromises();
    expect(el.scrollTop).toBe(100);

    messages.value = [...messages.value, msg('m3', 'outbound')];
    await flushPromises();
    expect(el.scrollTop).toBe(1100);

    el.scrollTop = 650; // 1100 - 650 - 400 = 50 px from the bottom
    messages.value = [...messages.value, msg('m4')];
    await flushPromises();
    expect(el.scrollTop).toBe(1100);
  });

  it('loads older messages near the top and keeps the view where it was', async () => {
    const { scroll, el, messages, hasOlder, olderLoads } = setup();
    messages.value = [msg('m1')];
    await flushPromises();
    el.scrollTop = 300;
    scroll.onScroll();
    expect(olderLoads()).toBe(0);

    el.scrollTop = 10;
    scroll.onScroll();
    await flushPromises();
    expect(olderLoads()).toBe(1);
    expect(el.scrollTop).toBe(510); // the 500 px put above push the same message down

    hasOlder.value = false;
    el.scrollTop = 0;
    scroll.onScroll();
    await flushPromises();
    expect(olderLoads()).toBe(1);
  });

  it('starts at the bottom again in another conversation', async () => {
    const { el, id, messages } = setup();
    messages.value = [msg('m1')];
    await flushPromises();
    el.scrollTop = 0;
    id.value = 'c2';
    messages.value = [];
    await flushPromises();
    messages.value = [msg('x1')];
    await flushPromises();
    expect(el.scrollTop).toBe(1000);
  });
});
