import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import TemplatePreview from './TemplatePreview.vue';

describe('TemplatePreview', () => {
  it('shows the message as the customer will see it, with examples in place of variables', async () => {
    const w = mount(TemplatePreview, {
      props: { headerText: 'Order {{1}}', body: 'Hi {{1}}, your order {{2}} is ready.', footer: 'Reply STOP to opt out', buttons: [{ type: 'QUICK_REPLY', text: 'Thanks' }], examples: { '1': 'Sari' } },
    });
    expect(w.find('[data-testid="template-draft-preview-body"]').text()).toBe('Hi Sari, your order {{2}} is ready.');
    expect(w.text()).toContain('Order Sari');
    expect(w.text()).toContain('Reply STOP to opt out');
    expect(w.find('.template-preview__button').text()).toBe('Thanks');
    await w.setProps({ examples: { '1': 'Sari', '2': '#1042' } });
    expect(w.find('[data-testid="template-draft-preview-body"]').text()).toBe('Hi Sari, your order #1042 is ready.');
  });

  it("shows a media header's sample: the image or video itself, a document by its name, the label until there is one", async () => {
    const w = mount(TemplatePreview, { props: { headerMedia: 'Image', body: 'New in store' } });
    expect(w.find('.template-preview__media').text()).toBe('Image');
    await w.setProps({ headerSample: { url: 'blob:shoe', kind: 'image' } });
    expect(w.find('img[data-testid="template-preview-sample"]').attributes()).toMatchObject({ src: 'blob:shoe', alt: 'Image' });
    expect(w.find('.template-preview__media').exists()).toBe(false);
    await w.setProps({ headerMedia: 'Video', headerSample: { url: 'blob:clip', kind: 'video' } });
    expect(w.find('video[data-testid="template-preview-sample"]').attributes('src')).toBe('blob:clip');
    await w.setProps({ headerMedia: 'Document', headerSample: { url: 'blob:doc', kind: 'document', name: 'katalog.pdf' } });
    expect(w.find('[data-testid="template-preview-sample"]').text()).toContain('katalog.pdf');
  });

  it('says what to do while the body is empty', () => {
    expect(mount(TemplatePreview, { props: { body: '' } }).text()).toContain('Type the body to see the message');
  });
});
