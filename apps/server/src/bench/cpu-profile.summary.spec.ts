import { describe, expect, it } from 'vitest';
import { placeOf, summariseCpuProfile, type CpuProfile } from './cpu-profile.summary.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('summariseCpuProfile', () => {
  // root → handler (core) → flush (mikro-orm) ; root → (idle) ; root → (garbage collector)
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 4, 5] },
      { id: 2, callFrame: frame('applyNow', 'file:///w/packages/core/dist/webhooks/inbound.service.js', 9), children: [3] },
      { id: 3, callFrame: frame('flush', 'file:///w/node_modules/.pnpm/@mikro-orm+core@6.6.16/node_modules/@mikro-orm/core/unit-of-work/UnitOfWork.js', 99) },
      { id: 4, callFrame: frame('(idle)') },
      { id: 5, callFrame: frame('(garbage collector)') },
    ],
    samples: [3, 3, 2, 4, 4, 4, 5],
    timeDeltas: [1000, 1000, 1000, 5000, 5000, 5000, 1000],
  };

  it('splits busy from idle time', () => {
    const summary = summariseCpuProfile(profile);
    expect(summary.busyMs).toBe(4);
    expect(summary.idleMs).toBe(15);
  });

  it('charges self time to the function and its package', () => {
    const summary = summariseCpuProfile(profile);
    expect(summary.byPlace).toEqual([
      { name: '@mikro-orm/core', ms: 2, percent: 50 },
      { name: '@obrol/core', ms: 1, percent: 25 },
      { name: '(garbage collector)', ms: 1, percent: 25 },
    ]);
    expect(summary.selfTop[0]!.name).toBe('flush @mikro-orm/core/unit-of-work/UnitOfWork.js:100');
  });

  it('charges total time to every caller on the stack', () => {
    const applyNow = summariseCpuProfile(profile).totalTop.find((s) => s.name.startsWith('applyNow'));
    expect(applyNow).toMatchObject({ ms: 3, percent: 75 });
  });

  it("lists Obrol's own functions by total time", () => {
    expect(summariseCpuProfile(profile).obrolTop).toEqual([{ name: 'applyNow packages/core/dist/webhooks/inbound.service.js:10', ms: 3, percent: 75 }]);
  });
});

describe('placeOf', () => {
  it('names Node internals and unpacked packages', () => {
    expect(placeOf('node:internal/streams/readable', 'read')).toBe('node (internals)');
    expect(placeOf('file:///w/node_modules/fastify/lib/route.js', 'x')).toBe('fastify');
  });
});
