import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import type { CpuProfile } from './cpu-profile.summary.js';

/**
 * A child Node process's V8 profiler over the inspector protocol (the child runs with
 * `--inspect=127.0.0.1:<port>`), so the bench can profile one phase of a run instead of the
 * whole life of the process.
 */
export class ProcessInspector {
  private nextId = 1;
  private readonly waiting = new Map<number, (result: unknown) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      this.waiting.get(message.id)?.(message.error ? Promise.reject(new Error(message.error.message)) : message.result);
      this.waiting.delete(message.id);
    });
  }

  static async connect(port: number): Promise<ProcessInspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const inspector = new ProcessInspector(socket);
    await inspector.call('Profiler.enable');
    await inspector.call('Profiler.setSamplingInterval', { interval: 500 });
    return inspector;
  }

  private call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve) => {
      this.waiting.set(id, resolve as (result: unknown) => void);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Runs `phase` with the profiler on; resolves with its result and the profile of the process meanwhile. */
  async profile<T>(phase: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
    await this.call('Profiler.start');
    const result = await phase();
    const { profile } = await this.call<{ profile: CpuProfile }>('Profiler.stop');
    return { result, profile };
  }

  close(): void {
    this.socket.close();
  }
}

/** CPU milliseconds (user + system) a process has used so far, from `/proc` (Linux); undefined elsewhere. */
export function cpuMillisecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
