// Writes src/features/notifications/new-message.wav: the inbox's new-message sound, made here
// rather than downloaded so its origin and licence are plain (it is ours). Two short sine tones
// (E6 then A6, 90 ms each) with a soft attack and decay, 16-bit mono PCM at 22.05 kHz.
// Run: node scripts/make-notification-sound.mjs
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RATE = 22_050;
const TONES = [
  { hz: 1318.5, seconds: 0.09 },
  { hz: 1760, seconds: 0.12 },
];
const VOLUME = 0.35;

const samples = [];
for (const { hz, seconds } of TONES) {
  const n = Math.round(RATE * seconds);
  for (let i = 0; i < n; i++) {
    // 5 ms attack, exponential decay: no click at either end.
    const envelope = Math.min(1, i / (RATE * 0.005)) * Math.exp((-4 * i) / n);
    samples.push(Math.round(Math.sin((2 * Math.PI * hz * i) / RATE) * envelope * VOLUME * 32_767));
  }
}

const data = Buffer.alloc(samples.length * 2);
samples.forEach((s, i) => data.writeInt16LE(s, i * 2));
const header = Buffer.alloc(44);
header.write('RIFF', 0);
header.writeUInt32LE(36 + data.length, 4);
header.write('WAVE', 8);
header.write('fmt ', 12);
header.writeUInt32LE(16, 16); // PCM chunk size
header.writeUInt16LE(1, 20); // PCM
header.writeUInt16LE(1, 22); // mono
header.writeUInt32LE(RATE, 24);
header.writeUInt32LE(RATE * 2, 28); // bytes per second
header.writeUInt16LE(2, 32); // block align
header.writeUInt16LE(16, 34); // bits per sample
header.write('data', 36);
header.writeUInt32LE(data.length, 40);

const out = fileURLToPath(new URL('../src/features/notifications/new-message.wav', import.meta.url));
writeFileSync(out, Buffer.concat([header, data]));
console.log(`wrote ${out} (${44 + data.length} bytes)`);
