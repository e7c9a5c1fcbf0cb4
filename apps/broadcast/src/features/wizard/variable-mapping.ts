import type { VariableMapping, VariableSource } from '@obrol/client';
import type { TemplateSlot } from '@obrol/ui';

/** A media header's file uploaded once for everyone (`mediaId` empty until the upload finished). */
export interface UploadedFile {
  from: 'upload';
  mediaId: string;
  filename?: string;
}

/** Where one slot takes its value from: a variable source, or for a media header an uploaded file. */
export type SlotSource = VariableSource | UploadedFile;

/** The wizard's mapping: one source per template slot (`body:1`, `header:image`, `button:0`). */
export type SlotSources = Record<string, SlotSource>;

/** Whether a slot's source says enough to be saved (a constant with text, an upload that finished). */
export function isComplete(source: SlotSource | undefined): boolean {
  if (!source) return false;
  if (source.from === 'upload') return !!source.mediaId;
  return source.from !== 'constant' || !!source.value;
}

const SUBTYPE: Record<string, 'url' | 'copy_code'> = { URL: 'url', COPY_CODE: 'copy_code' };

/** The API's mapping from one source per slot, in the template's parameter order; unmapped slots are left out. */
export function toVariableMapping(slots: TemplateSlot[], sources: SlotSources, named: boolean): VariableMapping {
  const mapping: VariableMapping = {};
  for (const slot of slots) {
    const source = sources[slot.key];
    if (!source) continue;
    if (slot.media) {
      // An upload still under way is left out: the server then says the header needs a file.
      if (source.from === 'upload' && !source.mediaId) continue;
      mapping.headerMedia = source.from === 'upload' ? { type: slot.media, mediaId: source.mediaId, ...(source.filename ? { filename: source.filename } : {}) } : { type: slot.media, source };
      continue;
    }
    if (source.from === 'upload') continue;
    const entry = { ...(named ? { name: slot.variable } : {}), source };
    if (slot.component === 'header') (mapping.header ??= []).push(entry);
    else if (slot.component === 'body') (mapping.body ??= []).push(entry);
    else (mapping.buttons ??= []).push({ index: Number(slot.variable), subType: SUBTYPE[slot.buttonType ?? ''] ?? 'url', source });
  }
  return mapping;
}

/** Back from a saved draft's mapping to one source per slot. */
export function fromVariableMapping(slots: TemplateSlot[], mapping: VariableMapping): SlotSources {
  const sources: SlotSources = {};
  const headerText = slots.filter((s) => s.component === 'header' && !s.media);
  const body = slots.filter((s) => s.component === 'body');
  headerText.forEach((slot, i) => {
    const entry = mapping.header?.find((h) => h.name === slot.variable) ?? mapping.header?.[i];
    if (entry) sources[slot.key] = entry.source;
  });
  body.forEach((slot, i) => {
    const entry = mapping.body?.find((h) => h.name === slot.variable) ?? mapping.body?.[i];
    if (entry) sources[slot.key] = entry.source;
  });
  const media = slots.find((s) => s.media);
  const header = mapping.headerMedia;
  if (media && header) sources[media.key] = 'mediaId' in header ? { from: 'upload', mediaId: header.mediaId, ...(header.filename ? { filename: header.filename } : {}) } : header.source;
  for (const b of mapping.buttons ?? []) sources[`button:${b.index}`] = b.source;
  return sources;
}
