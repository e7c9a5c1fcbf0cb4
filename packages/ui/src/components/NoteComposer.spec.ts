import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import NoteBubble from './NoteBubble.vue';
import NoteComposer from './NoteComposer.vue';

const team = [
  { id: 'a1', name: 'Ani Wijaya' },
  { id: 'a2', name: 'Budi' },
  { id: 'a3', name: 'Bunga' },
];
const composer = () => {
  const w = mount(NoteComposer, { props: { mentionable: team, modelValue: '', 'onUpdate:modelValue': (v: string) => w.setProps({ modelValue: v }) } });
  return w;
};

describe('NoteComposer', () => {
  it('suggests agents after @, picks with the keyboard or a click, and sends the mentioned ids', async () => {
    const w = composer();
    await w.find('textarea').setValue('tolong cek @b');
    expect(w.findAll('[data-testid="mention-option"]').map((o) => o.text())).toEqual(['@Budi', '@Bunga']);
    await w.find('textarea').trigger('keydown', { key: 'ArrowDown' });
    await w.find('textarea').trigger('keydown', { key: 'Enter' });
    expect((w.find('textarea').element as HTMLTextAreaElement).value).toBe('tolong cek @Bunga ');
    expect(w.emitted('send')).toBeUndefined();
    await w.find('textarea').setValue('tolong cek @Bunga dan @wij');
    await w.find('[data-testid="mention-option"]').trigger('mousedown');
    expect((w.find('textarea').element as HTMLTextAreaElement).value).toBe('tolong cek @Bunga dan @Ani Wijaya ');
    await w.find('textarea').trigger('keydown', { key: 'Enter' });
    expect(w.emitted('send')).toEqual([[{ text: 'tolong cek @Bunga dan @Ani Wijaya', mentionedAgentIds: ['a1', 'a3'] }]]);
  });

  it('says when no agent matches, and sends nothing empty', async () => {
    const w = composer();
    await w.find('textarea').setValue('@zzz');
    expect(w.find('[data-testid="mention-list"]').text()).toBe('No agent by that name');
    await w.find('textarea').setValue('   ');
    expect(w.find('[data-testid="note-send"]').attributes('disabled')).toBeDefined();
    await w.find('form').trigger('submit');
    expect(w.emitted('send')).toBeUndefined();
  });

  it('a note bubble shows its author and makes mentions stand out', () => {
    const w = mount(NoteBubble, { props: { text: 'Over to @Budi, VIP', authorName: 'Ani', mentionNames: ['Budi'] } });
    expect(w.find('header').text()).toBe('Private note · Ani');
    expect(w.find('strong').text()).toBe('@Budi');
    expect(w.find('p').text()).toBe('Over to @Budi, VIP');
    expect(mount(NoteBubble, { props: { text: 'x', authorName: null } }).find('header').text()).toBe('Private note · a former agent');
  });
});
