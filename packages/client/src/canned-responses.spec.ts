import { describe, expect, it } from 'vitest';
import { fillCannedResponse } from './canned-responses.js';

describe('canned responses', () => {
  const dewi = { name: 'Dewi', phone: '+6281299990001', attributes: { resi: 'JNE123456', kota: 'Bandung' } };

  it('fills the contact name, phone and attributes', () => {
    expect(fillCannedResponse('Halo {{contact.name}}, resi {{ contact.resi }} ke {{contact.kota}} ({{contact.phone}})', dewi)).toBe('Halo Dewi, resi JNE123456 ke Bandung (+6281299990001)');
  });

  it('leaves a placeholder the contact cannot fill, for the agent to see', () => {
    expect(fillCannedResponse('Halo {{contact.name}}, pesanan {{contact.order}}', { name: null, phone: null, attributes: {} })).toBe('Halo {{contact.name}}, pesanan {{contact.order}}');
    expect(fillCannedResponse('Halo {{contact.name}}', null)).toBe('Halo {{contact.name}}');
  });
});
