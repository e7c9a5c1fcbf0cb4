import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { heapGrowthFlag, limitHeapGrowth } from './heap-growth.js';

const run = promisify(execFile);

describe('limitHeapGrowth', () => {
  afterEach(() => vi.restoreAllMocks());

  it('names a flag this Node\'s V8 knows, as an integer', async () => {
    // V8 ignores an unknown flag given to setFlagsFromString without a word; given on the
    // command line, Node refuses it. Whether the flag lowers the heap's peak is measured by the
    // bench (ADR 0045): the peak depends on the machine's load too much for a test.
    const flag = heapGrowthFlag(50);
    const { stdout } = await run(process.execPath, [flag, '-e', 'process.stdout.write("started")'], { env: { ...process.env, NODE_OPTIONS: '' } });
    expect(stdout).toBe('started');
    const { stdout: options } = await run(process.execPath, ['--v8-options'], { env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 16 * 1024 * 1024 });
    expect(options).toMatch(/--heap-growing-percent \(specifies heap growing factor/);
    expect(options).toMatch(/type: int\s+default: --heap-growing-percent=/);
    await expect(run(process.execPath, ['--heap-growing-percent-renamed=50', '-e', '0'], { env: { ...process.env, NODE_OPTIONS: '' } })).rejects.toThrow(/bad option/);
  });

  it('sets the flag, and leaves V8 its own choice at 0', () => {
    const set = vi.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    limitHeapGrowth(0);
    expect(set).not.toHaveBeenCalled();
    limitHeapGrowth(50);
    expect(set).toHaveBeenCalledWith('--heap-growing-percent=50');
  });
});
