import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import MessageComposer from './MessageComposer.vue';

describe('MessageComposer', () => {
  it('emits the trimmed text on Enter and on the button', async () => {
    const w = mount(MessageComposer, { props: { modelValue: '', 'onUpdate:modelValue': (v: string) => w.setProps({ modelValue: v }) } });
    expect(w.find('[data-testid="composer-send"]').attributes('disabled')).toBeDefined();
    await w.find('textarea').setValue('  Halo  ');
    await w.find('textarea').trigger('keydown', { key: 'Enter' });
    await w.find('form').trigger('submit');
    expect(w.emitted('send')).toEqual([['Halo'], ['Halo']]);
  });

  it('is disabled with its reason', () => {
    const w = mount(MessageComposer, { props: { modelValue: 'x', disabled: true, disabledReason: 'The window has closed' } });
    expect(w.find('textarea').attributes('disabled')).toBeDefined();
    expect(w.find('[data-testid="composer-disabled-reason"]').text()).toBe('The window has closed');
    expect(w.find('[data-testid="composer-send"]').attributes('disabled')).toBeDefined();
  });

  const file = new File(['png-bytes'], 'resi.png', { type: 'image/png' });
  const attaching = (props: Record<string, unknown> = {}) => mount(MessageComposer, { props: { modelValue: '', accept: 'image/png,application/pdf', attachHint: 'images up to 5 MB', ...props } });

  it('attaches a file from the button, by paste and by drag and drop; shows the limits on the button', async () => {
    const w = attaching();
    expect(w.find('[data-testid="composer-attach"]').attributes('title')).toBe('Attach a file — images up to 5 MB');
    expect(w.find('[data-testid="composer-file"]').attributes('accept')).toBe('image/png,application/pdf');
    const input = w.find('[data-testid="composer-file"]');
    Object.defineProperty(input.element, 'files', { value: [file], configurable: true });
    await input.trigger('change');
    const paste = new Event('paste', { bubbles: true, cancelable: true }) as ClipboardEvent;
    Object.defineProperty(paste, 'clipboardData', { value: { files: [file] } });
    w.find('textarea').element.dispatchEvent(paste);
    expect(paste.defaultPrevented).toBe(true);
    await w.find('form').trigger('drop', { dataTransfer: { files: [file] } });
    expect(w.emitted('attach')).toEqual([[file], [file], [file]]);
  });

  it('has no attach button where the channel sends no media', () => {
    expect(mount(MessageComposer, { props: { modelValue: '' } }).find('[data-testid="composer-attach"]').exists()).toBe(false);
  });

  it('sends a ready attachment even without text, shows upload progress, and blocks a refused file', async () => {
    const ready = attaching({ attachment: { name: 'resi.png', size: '9 B', kind: 'image', progress: null, error: null } });
    expect(ready.find('textarea').attributes('placeholder')).toBe('Add a caption (optional)…');
    await ready.find('form').trigger('submit');
    expect(ready.emitted('send')).toEqual([['']]);
    await ready.find('[data-testid="attachment-remove"]').trigger('click');
    expect(ready.emitted('removeAttachment')).toHaveLength(1);

    const uploading = attaching({ attachment: { name: 'resi.png', size: '9 B', kind: 'image', progress: 0.42, error: null } });
    expect(uploading.find('[data-testid="upload-progress"]').text()).toContain('Uploading… 42%');
    expect(uploading.find('progress').attributes('value')).toBe('0.42');
    expect(uploading.find('[data-testid="composer-send"]').attributes('disabled')).toBeDefined();

    const refused = attaching({ modelValue: 'lihat ini', attachment: { name: 'big.png', size: '6 MB', kind: 'image', progress: null, error: 'Images can be at most 5 MB on this channel.' } });
    expect(refused.find('[data-testid="attachment-error"]').text()).toBe('Images can be at most 5 MB on this channel.');
    expect(refused.find('[data-testid="composer-send"]').attributes('disabled')).toBeDefined();
  });

  it('counts characters near the limit and refuses more, before the server would', async () => {
    const w = mount(MessageComposer, { props: { modelValue: 'x'.repeat(89), maxLength: 100 } });
    expect(w.find('[data-testid="composer-counter"]').exists()).toBe(false);
    await w.setProps({ modelValue: 'x'.repeat(95) });
    expect(w.find('[data-testid="composer-counter"]').text()).toBe('95 / 100');
    await w.setProps({ modelValue: 'x'.repeat(101) });
    expect(w.find('[data-testid="composer-counter"]').text()).toBe('Too long: a message holds at most 100 characters');
    expect(w.find('[data-testid="composer-send"]').attributes('disabled')).toBeDefined();
  });

  it('offers canned responses after /, filtered by shortcut, and inserts the filled text', async () => {
    const canned = [
      { shortcut: 'resi', text: 'Halo Dewi, resi Anda JNE123456.' },
      { shortcut: 'retur', text: 'Retur bisa dalam 7 hari.' },
      { shortcut: 'salam', text: 'Selamat pagi!' },
    ];
    const w = mount(MessageComposer, { props: { modelValue: '', cannedResponses: canned, 'onUpdate:modelValue': (v: string) => w.setProps({ modelValue: v }) } });
    await w.find('textarea').setValue('/re');
    expect(w.findAll('[data-testid="canned-option"]').map((o) => o.find('strong').text())).toEqual(['/resi', '/retur']);
    await w.find('textarea').trigger('keydown', { key: 'ArrowDown' });
    await w.find('textarea').trigger('keydown', { key: 'Enter' });
    expect((w.find('textarea').element as HTMLTextAreaElement).value).toBe('Retur bisa dalam 7 hari.');
    expect(w.emitted('send')).toBeUndefined();
    expect(w.find('[data-testid="canned-list"]').exists()).toBe(false);
    await w.find('textarea').trigger('keydown', { key: 'Enter' });
    expect(w.emitted('send')).toEqual([['Retur bisa dalam 7 hari.']]);
  });
});
