/**
 * The words the components show. Components take a `t(key, params)` prop so the package has
 * no i18n dependency: an app passes vue-i18n's `t` (with these messages merged under a
 * prefix of its choice); without one, English is used. `{name}` placeholders, as in vue-i18n.
 */
export const uiMessages = {
  en: {
    window: {
      open: 'Window open',
      closing: 'Window closing',
      closed: 'Window closed',
      hint: 'Reply window: free-form replies are possible while it is open; after it closes, only templates',
      left: '{hours}h {minutes}m left',
      closedLong: 'Closed',
    },
    conversation: { resolved: 'Resolved', snoozed: 'Snoozed until {time}' },
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
    composer: {
      placeholder: 'Type a reply… (Enter to send, Shift+Enter for a new line)',
      captionPlaceholder: 'Add a caption (optional)…',
      send: 'Send',
      sending: 'Sending…',
      attach: 'Attach a file',
      remove: 'Remove the attachment',
      uploading: 'Uploading… {percent}%',
      dropHere: 'Drop the file to attach it',
      counter: '{count} / {max}',
      tooLong: 'Too long: a message holds at most {max} characters',
    },
    note: {
      label: 'Private note',
      placeholder: 'Write a private note — only agents see it. Type {at} to mention someone.',
      add: 'Add note',
      adding: 'Adding…',
      mentionList: 'Agents to mention',
      noMatch: 'No agent by that name',
      by: 'Private note · {name}',
      unknownAuthor: 'a former agent',
    },
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
    window: {
      open: 'Jendela terbuka',
      closing: 'Jendela segera tutup',
      closed: 'Jendela tertutup',
      hint: 'Jendela balasan: balasan bebas bisa dikirim selama terbuka; setelah tertutup, hanya template',
      left: 'sisa {hours}j {minutes}m',
      closedLong: 'Tertutup',
    },
    conversation: { resolved: 'Selesai', snoozed: 'Ditunda sampai {time}' },
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
    composer: {
      placeholder: 'Tulis balasan… (Enter untuk kirim, Shift+Enter untuk baris baru)',
      captionPlaceholder: 'Tambahkan keterangan (opsional)…',
      send: 'Kirim',
      sending: 'Mengirim…',
      attach: 'Lampirkan berkas',
      remove: 'Hapus lampiran',
      uploading: 'Mengunggah… {percent}%',
      dropHere: 'Lepaskan berkas untuk melampirkannya',
      counter: '{count} / {max}',
      tooLong: 'Terlalu panjang: pesan berisi paling banyak {max} karakter',
    },
    note: {
      label: 'Catatan pribadi',
      placeholder: 'Tulis catatan pribadi — hanya agen yang melihatnya. Ketik {at} untuk menyebut seseorang.',
      add: 'Tambah catatan',
      adding: 'Menambahkan…',
      mentionList: 'Agen yang bisa disebut',
      noMatch: 'Tidak ada agen dengan nama itu',
      by: 'Catatan pribadi · {name}',
      unknownAuthor: 'mantan agen',
    },
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
