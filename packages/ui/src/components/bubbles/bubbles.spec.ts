import type { ContentOf } from '@obrol/contracts';
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { type Component, defineComponent, h } from 'vue';
import { type UiTranslate, defaultT } from '../../ui-text';
import AudioBubble from './AudioBubble.vue';
import ContactsBubble from './ContactsBubble.vue';
import DocumentBubble from './DocumentBubble.vue';
import ImageBubble from './ImageBubble.vue';
import InteractiveBubble from './InteractiveBubble.vue';
import InteractiveReplyBubble from './InteractiveReplyBubble.vue';
import LocationBubble from './LocationBubble.vue';
import OrderBubble from './OrderBubble.vue';
import ReactionBubble from './ReactionBubble.vue';
import StickerBubble from './StickerBubble.vue';
import SystemBubble from './SystemBubble.vue';
import TemplateBubble from './TemplateBubble.vue';
import TextBubble from './TextBubble.vue';
import UnsupportedBubble from './UnsupportedBubble.vue';
import VideoBubble from './VideoBubble.vue';

// Bubbles may render several roots; a wrapper gives the test one element to read.
const render = (bubble: Component, props: Record<string, unknown>) => mount(defineComponent({ setup: () => () => h('div', [h(bubble, props)]) }));
/** A translator that shows which key and values a bubble asked for. */
const keys: UiTranslate = (key, params) => `<${key}${params ? ` ${JSON.stringify(params)}` : ''}>`;

describe('TextBubble', () => {
  it('shows the text as written, markup included', () => {
    const w = render(TextBubble, { content: { type: 'text', text: 'Halo <b>kak</b>\nbaris dua' } });
    expect(w.find('.bubble__text').text()).toBe('Halo <b>kak</b>\nbaris dua');
    expect(w.find('b').exists()).toBe(false);
  });
});

describe('ImageBubble', () => {
  const content: ContentOf<'image'> = { type: 'image', media: { mediaId: 'm1', caption: 'the receipt' } };
  it('shows the image with its caption as alternative text and below it', () => {
    const w = render(ImageBubble, { content, src: 'blob:m1' });
    expect(w.find('img').attributes()).toMatchObject({ src: 'blob:m1', alt: 'the receipt' });
    expect(w.find('.bubble__text').text()).toBe('the receipt');
  });
  it('says it is loading while there is no URL yet', () => {
    const w = render(ImageBubble, { content: { type: 'image', media: { mediaId: 'm1' } }, t: keys });
    expect(w.find('img').exists()).toBe(false);
    expect(w.text()).toContain('<message.mediaLoading>');
  });
});

describe('StickerBubble', () => {
  it('shows the sticker small, or a placeholder', () => {
    expect(render(StickerBubble, { content: { type: 'sticker', media: { mediaId: 's' } }, src: 'blob:s' }).find('img.sticker-bubble').attributes('alt')).toBe('Sticker');
    expect(render(StickerBubble, { content: { type: 'sticker', media: { mediaId: 's' } } }).text()).toContain('[Sticker]');
  });
});

describe('VideoBubble', () => {
  it('plays the video with controls, and keeps the caption', () => {
    const w = render(VideoBubble, { content: { type: 'video', media: { mediaId: 'v', caption: 'unboxing' } }, src: 'blob:v' });
    expect(w.find('video').attributes('src')).toBe('blob:v');
    expect(w.find('video').attributes('controls')).toBeDefined();
    expect(w.text()).toContain('unboxing');
  });
});

describe('AudioBubble', () => {
  it('names a voice note apart from an audio file', () => {
    expect(render(AudioBubble, { content: { type: 'audio', media: { mediaId: 'a' }, voice: true }, src: 'blob:a' }).text()).toContain('Voice note');
    const file = render(AudioBubble, { content: { type: 'audio', media: { mediaId: 'a' } }, src: 'blob:a' });
    expect(file.text()).toContain('Audio');
    expect(file.find('audio').attributes('src')).toBe('blob:a');
  });
});

describe('DocumentBubble', () => {
  it('links the file for download under its name', () => {
    const a = render(DocumentBubble, { content: { type: 'document', media: { mediaId: 'd' }, filename: 'invoice.pdf' }, src: 'blob:d' }).find('a');
    expect(a.attributes()).toMatchObject({ href: 'blob:d', download: 'invoice.pdf', rel: 'noopener noreferrer' });
    expect(a.text()).toContain('invoice.pdf');
  });
  it('shows the name without a link while the file is not available', () => {
    const w = render(DocumentBubble, { content: { type: 'document', media: { mediaId: 'd' } } });
    expect(w.find('a').exists()).toBe(false);
    expect(w.text()).toContain('Document');
  });
});

describe('LocationBubble', () => {
  it('shows the place and links its coordinates on a map', () => {
    const w = render(LocationBubble, { content: { type: 'location', latitude: -6.2, longitude: 106.8, name: 'Kantor', address: 'Jl. Sudirman 1' } });
    expect(w.text()).toContain('Kantor');
    expect(w.text()).toContain('Jl. Sudirman 1');
    expect(w.find('a').attributes('href')).toBe('https://www.openstreetmap.org/?mlat=-6.2&mlon=106.8#map=16/-6.2/106.8');
  });
  it('uses the sender\'s link only when it is http(s)', () => {
    const own = render(LocationBubble, { content: { type: 'location', latitude: 1, longitude: 2, url: 'https://maps.example.test/p/1' } });
    expect(own.find('a').attributes('href')).toBe('https://maps.example.test/p/1');
    const hostile = render(LocationBubble, { content: { type: 'location', latitude: 1, longitude: 2, url: 'javascript:alert(1)' } });
    expect(hostile.find('a').attributes('href')).toContain('openstreetmap.org');
    expect(hostile.html()).not.toContain('javascript:');
  });
});

describe('ContactsBubble', () => {
  it('lists every card with its phones and emails', () => {
    const w = render(ContactsBubble, {
      content: { type: 'contacts', contacts: [{ name: { formattedName: 'Budi' }, phones: [{ phone: '+62811', type: 'CELL' }], emails: [{ email: 'budi@example.test' }], urls: [], organization: 'Toko Budi' }, { name: { formattedName: 'Sari' }, phones: [], emails: [], urls: [] }] },
    });
    expect(w.findAll('.contacts-bubble__card')).toHaveLength(2);
    expect(w.text()).toContain('+62811 (CELL)');
    expect(w.text()).toContain('budi@example.test');
    expect(w.text()).toContain('Toko Budi');
  });
});

describe('InteractiveBubble', () => {
  it('shows reply buttons under the body', () => {
    const w = render(InteractiveBubble, { content: { type: 'interactive', interactive: { kind: 'buttons', header: { type: 'text', text: 'Pesanan #12' }, body: 'Jadi dikirim?', footer: 'Toko', buttons: [{ id: 'y', title: 'Ya' }, { id: 'n', title: 'Tidak' }] } } });
    expect(w.findAll('.bubble__button').map((b) => b.text())).toEqual(['Ya', 'Tidak']);
    expect(w.text()).toContain('Pesanan #12');
    expect(w.text()).toContain('Toko');
  });
  it('shows a list\'s button and its rows', () => {
    const w = render(InteractiveBubble, { content: { type: 'interactive', interactive: { kind: 'list', body: 'Pilih ukuran', buttonText: 'Ukuran', sections: [{ rows: [{ id: 's', title: 'S', description: 'kecil' }, { id: 'm', title: 'M' }] }] } } });
    expect(w.find('.bubble__button').text()).toContain('Ukuran');
    expect(w.findAll('li').map((li) => li.text())).toEqual(['S · kecil', 'M']);
  });
  it('links a call-to-action only when its URL is http(s)', () => {
    const cta = (url: string) => render(InteractiveBubble, { content: { type: 'interactive', interactive: { kind: 'cta_url', body: 'Lacak paket', displayText: 'Lacak', url } } });
    expect(cta('https://track.example.test/1').find('a').attributes('href')).toBe('https://track.example.test/1');
    const hostile = cta('javascript:alert(1)');
    expect(hostile.find('a').exists()).toBe(false);
    expect(hostile.find('.bubble__button').text()).toContain('Lacak');
  });
});

describe('InteractiveReplyBubble', () => {
  it('shows the customer\'s choice as a reply', () => {
    const w = render(InteractiveReplyBubble, { content: { type: 'interactive_reply', reply: { kind: 'list', id: 'm', title: 'M', description: 'sedang' } }, t: keys });
    expect(w.text()).toContain('<message.reply>');
    expect(w.find('.bubble__text').text()).toBe('M');
    expect(w.text()).toContain('sedang');
  });
});

describe('ReactionBubble', () => {
  it('says which emoji was given, or that it was taken back', () => {
    expect(render(ReactionBubble, { content: { type: 'reaction', targetExternalId: 'w', emoji: '👍' }, t: keys }).text()).toBe('<message.reaction {"emoji":"👍"}>');
    expect(render(ReactionBubble, { content: { type: 'reaction', targetExternalId: 'w' } }).text()).toBe('Removed a reaction');
  });
});

describe('TemplateBubble', () => {
  it('shows the template\'s name and the text the customer got', () => {
    const w = render(TemplateBubble, { content: { type: 'template', template: { name: 'order_update', language: 'id', parameters: {}, renderedText: 'Halo Sari, pesanan #1 dikirim' } } });
    expect(w.find('.template-bubble__name').text()).toBe('Template order_update');
    expect(w.find('.bubble__text').text()).toBe('Halo Sari, pesanan #1 dikirim');
  });
  it('falls back to the name when no text was rendered', () => {
    expect(render(TemplateBubble, { content: { type: 'template', template: { name: 'hello_world', language: 'en_US', parameters: {} } } }).find('.bubble__text').text()).toBe('hello_world');
  });
});

describe('SystemBubble', () => {
  it('shows the notice', () => {
    expect(render(SystemBubble, { content: { type: 'system', text: 'Customer changed number' } }).text()).toBe('Customer changed number');
  });
});

describe('OrderBubble', () => {
  it('counts the items and lists them', () => {
    const w = render(OrderBubble, { content: { type: 'order', text: 'Tolong cepat', items: [{ productId: 'kaos-m', quantity: 2 }, { productId: 'topi', quantity: 1 }] }, t: defaultT });
    expect(w.text()).toContain('Order: 2 item(s)');
    expect(w.text()).toContain('2 × kaos-m');
    expect(w.text()).toContain('Tolong cepat');
  });
});

describe('UnsupportedBubble', () => {
  it('names what it cannot show', () => {
    const w = render(UnsupportedBubble, { content: { type: 'unsupported', providerType: 'poll', description: 'A poll with 3 options' } });
    expect(w.text()).toContain('Unsupported message (poll)');
    expect(w.text()).toContain('A poll with 3 options');
  });
});
