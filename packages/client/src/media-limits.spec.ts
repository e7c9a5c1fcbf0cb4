import { describe, expect, it } from 'vitest';
import { acceptedTypes, checkAttachment, checkHeaderSample, formatBytes } from './media-limits.js';

const whatsapp = {
  maxBytes: { image: 5 * 1024 * 1024, video: 16 * 1024 * 1024, audio: 16 * 1024 * 1024, document: 100 * 1024 * 1024, sticker: 500 * 1024 },
  mimeTypes: { image: ['image/jpeg', 'image/png'], video: ['video/mp4'], audio: ['audio/ogg; codecs=opus', 'audio/mpeg'], document: ['application/pdf', 'image/png'], sticker: ['image/webp'] },
};

describe('attachment checks against the channel limits', () => {
  it('picks the kind to send a file as', () => {
    expect(checkAttachment({ type: 'image/png', size: 1000 }, whatsapp)).toEqual({ ok: true, kind: 'image' });
    expect(checkAttachment({ type: 'audio/ogg', size: 1000 }, whatsapp)).toEqual({ ok: true, kind: 'audio' });
    expect(checkAttachment({ type: 'application/pdf', size: 1000 }, whatsapp)).toEqual({ ok: true, kind: 'document' });
  });

  it('says why not: no media on the channel, a type it does not take, or too large', () => {
    expect(checkAttachment({ type: 'image/png', size: 1 }, null)).toEqual({ ok: false, reason: 'no_media' });
    expect(checkAttachment({ type: 'image/gif', size: 1 }, whatsapp)).toMatchObject({ ok: false, reason: 'unsupported_type', accepted: expect.arrayContaining(['image/jpeg', 'application/pdf']) });
    expect(checkAttachment({ type: 'image/jpeg', size: 5 * 1024 * 1024 + 1 }, whatsapp)).toEqual({ ok: false, reason: 'too_large', kind: 'image', maxBytes: 5 * 1024 * 1024 });
    expect(checkAttachment({ type: 'image/jpeg', size: 5 * 1024 * 1024 }, whatsapp).ok).toBe(true);
  });

  it('lists accepted types for the file input and formats sizes', () => {
    expect(acceptedTypes(whatsapp)).not.toContain('image/webp');
    expect(acceptedTypes(whatsapp)).toContain('audio/ogg');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MB');
    expect(formatBytes(500 * 1024)).toBe('500 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(16 * 1024 * 1024, 'id')).toBe('16 MB');
  });

  it("checks a template header's sample against the kind the header shows", () => {
    expect(checkHeaderSample({ type: 'image/png', size: 1000 }, 'image', whatsapp)).toEqual({ ok: true, kind: 'image' });
    // A PNG is a document on this channel, but not the sample of a video header.
    expect(checkHeaderSample({ type: 'image/png', size: 1000 }, 'video', whatsapp)).toEqual({ ok: false, reason: 'unsupported_type', accepted: ['video/mp4'] });
    expect(checkHeaderSample({ type: 'video/mp4', size: 16 * 1024 * 1024 + 1 }, 'video', whatsapp)).toEqual({ ok: false, reason: 'too_large', kind: 'video', maxBytes: 16 * 1024 * 1024 });
    expect(checkHeaderSample({ type: 'application/pdf', size: 1 }, 'document', null)).toEqual({ ok: false, reason: 'no_media' });
  });
});
