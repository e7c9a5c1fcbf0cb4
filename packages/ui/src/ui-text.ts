/**
 * The words the components show. Components take a `t(key, params)` prop so the package has
 * no i18n dependency: an app passes vue-i18n's `t` (with these messages merged under a
 * prefix of its choice); without one, English is used. `{name}` placeholders, as in vue-i18n.
 */
export const uiMessages = {
  en: {
    window: { open: 'Open', closing: 'Closing', closed: 'Closed', left: '{hours}h {minutes}m left', closedLong: 'Closed' },
    status: { received: 'Received', queued: 'Queued', sent: 'Sent', delivered: 'Delivered', read: 'Read', failed: 'Failed' },
    message: {
      unsupported: 'Unsupported message ({type})',
      image: 'Image',
      video: 'Video',
      audio: 'Audio',
      voice: 'Voice note',
      sticker: 'Sticker',
      document: 'Document',
      mediaLoading: 'Loading media…',
      location: 'Location',
      openMap: 'Open map',
      reaction: 'Reacted {emoji}',
      reactionRemoved: 'Removed a reaction',
      reply: 'Replied',
      template: 'Template {name}',
      order: 'Order: {count} item(s)',
    },
    list: { empty: 'No conversations', unread: '{count} unread', unknown: 'Unknown contact' },
    composer: { placeholder: 'Type a reply… (Enter to send, Shift+Enter for a new line)', send: 'Send', sending: 'Sending…' },
    form: {
      required: 'Required',
      optional: 'optional',
      secret: 'secret',
      secretSet: '•••••••• saved (hidden)',
      replace: 'Replace',
      keep: 'Keep the saved one',
      copy: 'Copy',
      copied: 'Copied',
    },
    preview: { title: 'Preview', empty: 'Type the body to see the message', today: 'today' },
    template: {
      choose: 'Choose a template',
      none: 'No approved templates on this channel',
      header: 'Header',
      body: 'Body',
      button: 'Button {index}',
      variable: 'Value for {name}',
      mediaUrl: 'Public URL of the {format}',
      preview: 'Preview',
      send: 'Send template',
      sending: 'Sending…',
      missing: 'Fill every variable to send',
    },
  },
  id: {
    window: { open: 'Terbuka', closing: 'Segera tutup', closed: 'Tertutup', left: 'sisa {hours}j {minutes}m', closedLong: 'Tertutup' },
    status: { received: 'Diterima', queued: 'Antre', sent: 'Terkirim', delivered: 'Sampai', read: 'Dibaca', failed: 'Gagal' },
    message: {
      unsupported: 'Pesan tidak didukung ({type})',
      image: 'Gambar',
      video: 'Video',
      audio: 'Audio',
      voice: 'Pesan suara',
      sticker: 'Stiker',
      document: 'Dokumen',
      mediaLoading: 'Memuat media…',
      location: 'Lokasi',
      openMap: 'Buka peta',
      reaction: 'Bereaksi {emoji}',
      reactionRemoved: 'Menghapus reaksi',
      reply: 'Membalas',
      template: 'Template {name}',
      order: 'Pesanan: {count} barang',
    },
    list: { empty: 'Tidak ada percakapan', unread: '{count} belum dibaca', unknown: 'Kontak tanpa nama' },
    composer: { placeholder: 'Tulis balasan… (Enter untuk kirim, Shift+Enter untuk baris baru)', send: 'Kirim', sending: 'Mengirim…' },
    form: {
      required: 'Wajib',
      optional: 'opsional',
      secret: 'rahasia',
      secretSet: '•••••••• tersimpan (tersembunyi)',
      replace: 'Ganti',
      keep: 'Pakai yang tersimpan',
      copy: 'Salin',
      copied: 'Tersalin',
    },
    preview: { title: 'Pratinjau', empty: 'Tulis isi pesan untuk melihatnya', today: 'hari ini' },
    template: {
      choose: 'Pilih template',
      none: 'Belum ada template yang disetujui di kanal ini',
      header: 'Header',
      body: 'Isi',
      button: 'Tombol {index}',
      variable: 'Nilai untuk {name}',
      mediaUrl: 'URL publik {format}',
      preview: 'Pratinjau',
      send: 'Kirim template',
      sending: 'Mengirim…',
      missing: 'Isi semua variabel untuk mengirim',
    },
  },
} as const;

export type UiParams = Record<string, string | number>;
/** Translates a dotted key of {@link uiMessages} (e.g. `window.closed`). */
export type UiTranslate = (key: string, params?: UiParams) => string;

/** English, used when the app passes no `t`. */
export const defaultT: UiTranslate = (key, params) => {
  let node: unknown = uiMessages.en;
  for (const part of key.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  const text = typeof node === 'string' ? node : key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (params && name in params ? String(params[name]) : `{${name}}`));
};
