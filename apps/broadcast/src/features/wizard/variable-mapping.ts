import type { VariableMapping, VariableSource } from '@obrol/client';
import type { TemplateSlot } from '@obrol/ui';

/** The wizard's mapping: one source per template slot (`body:1`, `header:image`, `button:0`). */
export type SlotSources = Record<string, VariableSource>;

const SUBTYPE: Record<string, 'url' | 'copy_code'> = { URL: 'url', COPY_CODE: 'copy_code' };

/** The API's mapping from one source per slot, in the template's parameter order; unmapped slots are left out. */
export function toVariableMapping(slots: TemplateSlot[], sources: SlotSources, named: boolean): VariableMapping {
  const mapping: VariableMapping = {};
  for (const slot of slots) {
    const source = sources[slot.key];
    if (!source) continue;
    const entry = { ...(named ? { name: slot.variable } : {}), source };
    if (slot.media) mapping.headerMedia = { type: slot.media, source };
    else if (slot.component === 'header') (mapping.header ??= []).push(entry);
    else if (slot.component === 'body') (mapping.body ??= []).push(entry);
    else (mapping.buttons ??= []).push({ index: Number(slot.variable), subType: SUBTYPE[slot.buttonType ?? ''] ?? 'url', source });
  }
  return mapping;
}

/** Back from a saved draft's mapping to one source per slot. */
export function fromVariableMapping(slots: TemplateSlot[], mapping: VariableMapping): SlotSources {
  const sources: SlotSources = {};
  const header = slots.filter((s) => s.component === 'header' && !s.media);
  const body = slots.filter((s) => s.component === 'body');
  header.forEach((slot, i) => {
    const entry = mapping.header?.find((h) => h.name === slot.variable) ?? mapping.header?.[i];
    if (entry) sources[slot.key] = entry.source;
  });
  body.forEach((slot, i) => {
    const entry = mapping.body?.find((h) => h.name === slot.variable) ?? mapping.body?.[i];
    if (entry) sources[slot.key] = entry.source;
  });
  const media = slots.find((s) => s.media);
  if (media && mapping.headerMedia) sources[media.key] = mapping.headerMedia.source;
  for (const b of mapping.buttons ?? []) sources[`button:${b.index}`] = b.source;
  return sources;
}
