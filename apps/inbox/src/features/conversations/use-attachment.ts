import { type MediaKind, acceptedTypes, checkAttachment, formatBytes, useChannelsStore, useConnectionStore } from '@obrol/client';
import type { SessionContent } from '@obrol/contracts';
import type { ComposerAttachment } from '@obrol/ui';
import { type MaybeRefOrGetter, computed, onScopeDispose, ref, shallowRef, toValue, watch } from 'vue';
import { useI18n } from 'vue-i18n';

const CAPTIONED = new Set<MediaKind>(['image', 'video', 'document']);

/**
 * The file attached in the composer: checked against the channel's limits as soon as it is
 * picked (the refusal in words, before any upload), uploaded with progress on send, and turned
 * into the message content (with the draft as its caption where the channel shows one).
 */
export function useAttachment(channelAccountId: MaybeRefOrGetter<string | null>) {
  const { t, locale } = useI18n();
  const connection = useConnectionStore();
  const channels = useChannelsStore();
  const file = shallowRef<File | null>(null);
  const progress = ref<number | null>(null);
  const previewUrl = ref<string | null>(null);

  const limits = computed(() => {
    const id = toValue(channelAccountId);
    return id ? (channels.byId[id]?.mediaLimits ?? null) : null;
  });
  watch(() => toValue(channelAccountId), (id) => void (id && channels.load(id)), { immediate: true });

  const kindWord = (kind: string) => t(`attachment.kinds.${kind}`);
  /** The channel's limits in words ("Images up to 5 MB, Documents up to 100 MB"), shown before they are hit. */
  const hint = computed(() => {
    const l = limits.value;
    if (!l) return null;
    return (['image', 'video', 'audio', 'document'] as const)
      .filter((k) => l.maxBytes[k] !== undefined && (l.mimeTypes[k]?.length ?? 0) > 0)
      .map((k) => t('attachment.limit', { kind: kindWord(k), max: formatBytes(l.maxBytes[k]!, locale.value) }))
      .join(', ');
  });
  const accept = computed(() => (limits.value ? acceptedTypes(limits.value).join(',') : null));
  const check = computed(() => (file.value ? checkAttachment(file.value, limits.value) : null));

  const attachment = computed<ComposerAttachment | null>(() => {
    const f = file.value;
    const c = check.value;
    if (!f || !c) return null;
    let error: string | null = null;
    if (!c.ok && c.reason === 'no_media') error = t('attachment.noMedia');
    else if (!c.ok && c.reason === 'unsupported_type') error = t('attachment.unsupported', { type: f.type || f.name.split('.').pop() || '?', accepted: c.accepted.join(', ') });
    else if (!c.ok && c.reason === 'too_large') error = t('attachment.tooLarge', { kind: kindWord(c.kind), max: formatBytes(c.maxBytes, locale.value), size: formatBytes(f.size, locale.value) });
    return { name: f.name, size: formatBytes(f.size, locale.value), kind: c.ok ? c.kind : null, previewUrl: previewUrl.value, progress: progress.value, error };
  });

  function setPreview(next: File | null) {
    if (previewUrl.value) URL.revokeObjectURL(previewUrl.value);
    previewUrl.value = next && next.type.startsWith('image/') && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(next) : null;
  }

  function attach(next: File) {
    file.value = next;
    progress.value = null;
    setPreview(next);
  }
  function remove() {
    file.value = null;
    progress.value = null;
    setPreview(null);
  }

  /** Uploads the file (progress 0..1) and returns the content to send; the caption where the kind has one. */
  async function upload(caption: string): Promise<SessionContent> {
    const f = file.value;
    const c = check.value;
    const id = toValue(channelAccountId);
    if (!f || !c?.ok || !id) throw new Error(attachment.value?.error ?? t('attachment.noMedia'));
    progress.value = 0;
    try {
      const stored = await connection.api.uploadMedia(id, f, f.name, (fraction) => (progress.value = fraction));
      const media = { mediaId: stored.mediaId, ...(caption && CAPTIONED.has(c.kind) ? { caption } : {}) };
      const content = (c.kind === 'document' ? { type: 'document', media, filename: f.name } : { type: c.kind, media }) as SessionContent;
      remove();
      return content;
    } finally {
      progress.value = null;
    }
  }

  watch(() => toValue(channelAccountId), remove);
  onScopeDispose(() => setPreview(null));

  return { attachment, accept, hint, attach, remove, upload };
}
