import { describe, expect, it } from 'vitest';
import { type GatedSend, type SendGate, type SendGateVerdict, SendGates } from './send-gate.js';

const send = (messageId: string, broadcastId: string | null = null): GatedSend => ({ messageId, tenantId: 't', channelAccountId: 'c', broadcastId });

describe('the send gates deciding a batch', () => {
  it('gives each send the first verdict that is not send, asking later gates only about the sends still going', async () => {
    const gates = new SendGates();
    const askedSecond: string[][] = [];
    const pausing: SendGate = {
      admit: async () => ({ action: 'send' }),
      admitMany: async (sends) => sends.map((s): SendGateVerdict => (s.broadcastId === 'paused' ? { action: 'hold' } : { action: 'send' })),
    };
    const pacing: SendGate = {
      admit: async () => ({ action: 'send' }),
      admitMany: async (sends) => {
        askedSecond.push(sends.map((s) => s.messageId));
        return sends.map((s, i): SendGateVerdict => (i === 0 ? { action: 'send' } : { action: 'wait', delayMs: 10 }));
      },
    };
    gates.register(pausing);
    gates.register(pacing);
    const verdicts = await gates.admitMany([send('a', 'running'), send('b', 'paused'), send('c', 'running'), send('d')]);
    expect(askedSecond).toEqual([['a', 'c', 'd']]);
    expect(verdicts).toEqual([{ action: 'send' }, { action: 'hold' }, { action: 'wait', delayMs: 10 }, { action: 'wait', delayMs: 10 }]);
  });

  it('asks a gate without admitMany one send at a time, and books accepted sends one at a time without acceptedMany', async () => {
    const gates = new SendGates();
    const admitted: string[] = [];
    const accepted: string[] = [];
    gates.register({
      admit: async (s) => {
        admitted.push(s.messageId);
        return s.messageId === 'b' ? { action: 'refuse', error: { code: 'BROADCAST_STATE_INVALID', message: 'cancelled', retryable: false } } : { action: 'send' };
      },
      accepted: async (_tx, s) => void accepted.push(s.messageId),
    });
    const verdicts = await gates.admitMany([send('a'), send('b')]);
    expect(admitted).toEqual(['a', 'b']);
    expect(verdicts.map((v) => v.action)).toEqual(['send', 'refuse']);
    await gates.acceptedMany({} as never, [send('a'), send('c')]);
    expect(accepted).toEqual(['a', 'c']);
  });
});
