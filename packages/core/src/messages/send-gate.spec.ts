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
  it('keeps the later moment and a named pace when two gates let a send go', async () => {
    const gates = new SendGates();
    gates.register({ admit: async () => ({ action: 'send' }), admitMany: async (sends) => sends.map(() => ({ action: 'send', afterMs: 40, pace: { key: 'c', perSecond: 80 } })) });
    gates.register({ admit: async () => ({ action: 'send' }), admitMany: async (sends) => sends.map((_, i) => ({ action: 'send', afterMs: i === 0 ? 10 : 90 })) });
    expect(await gates.admitMany([send('a'), send('b')])).toEqual([
      { action: 'send', afterMs: 40, pace: { key: 'c', perSecond: 80 } },
      { action: 'send', afterMs: 90, pace: { key: 'c', perSecond: 80 } },
    ]);
  });

  it('asks again before departure only the gates that can, and only about the sends still going', async () => {
    const gates = new SendGates();
    const asked: string[][] = [];
    gates.register({ admit: async () => ({ action: 'send' }) });
    gates.register({ admit: async () => ({ action: 'send' }), beforeDeparture: async (sends) => sends.map((s) => (s.broadcastId === 'paused' ? { action: 'hold' } : { action: 'send' })) });
    gates.register({
      admit: async () => ({ action: 'send' }),
      beforeDeparture: async (sends) => {
        asked.push(sends.map((s) => s.messageId));
        return sends.map(() => ({ action: 'send' }));
      },
    });
    expect(await gates.beforeDeparture([send('a', 'running'), send('b', 'paused'), send('c')])).toEqual([{ action: 'send' }, { action: 'hold' }, { action: 'send' }]);
    expect(asked).toEqual([['a', 'c']]);
  });
});
