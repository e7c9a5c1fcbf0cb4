import type { ChannelError, DownloadedMedia, OutboundMessage, TemplateDefinition } from '@obrol/contracts';

export interface ProviderSend {
  channelAccountId: string;
  message: OutboundMessage;
  idempotencyKey: string;
  externalId: string;
}

/**
 * The far side of the test channel: an in-memory provider that records sends, hands out
 * external ids, honours idempotency keys, and fails on request. Tests drive it directly.
 */
export class TestProvider {
  /** Distinct messages accepted (a retried idempotency key is not counted twice). */
  readonly sent: ProviderSend[] = [];
  /** Every call to send, including retries. */
  readonly calls: ProviderSend[] = [];
  readonly templates: TemplateDefinition[] = [];
  readonly media = new Map<string, DownloadedMedia>();
  readonly readMarks: string[] = [];
  private readonly failures: ChannelError[] = [];
  private readonly crashes: { reachedProvider: boolean }[] = [];
  private readonly byKey = new Map<string, ProviderSend>();
  private seq = 0;
  private readonly waiters: (() => void)[] = [];

  /** The next sends fail with these errors, in order. */
  failNext(...errors: ChannelError[]): void {
    this.failures.push(...errors);
  }

  /**
   * The next send never tells the caller how it went, as when the sending process is killed
   * mid-call: it throws. With `reachedProvider` the provider accepted the message first.
   */
  crashNext(options: { reachedProvider: boolean }): void {
    this.crashes.push(options);
  }

  accept(channelAccountId: string, message: OutboundMessage, idempotencyKey: string): ProviderSend | ChannelError {
    const crash = this.crashes.shift();
    if (crash) {
      const send = crash.reachedProvider ? this.accept(channelAccountId, message, idempotencyKey) : null;
      if (!send) this.calls.push({ channelAccountId, message, idempotencyKey, externalId: '' });
      throw new Error(`the test provider lost the answer to the send of ${message.messageId}${send && 'externalId' in send ? ` (accepted as ${send.externalId})` : ''}`);
    }
    const failure = this.failures.shift();
    const attempt = { channelAccountId, message, idempotencyKey, externalId: '' };
    if (failure) {
      this.calls.push(attempt);
      return failure;
    }
    const earlier = this.byKey.get(idempotencyKey);
    const send = earlier ?? { ...attempt, externalId: `test-out-${++this.seq}` };
    this.calls.push(send);
    if (!earlier) {
      this.byKey.set(idempotencyKey, send);
      this.sent.push(send);
      this.waiters.splice(0).forEach((wake) => wake());
    }
    return send;
  }

  /** Resolves when at least `count` messages were sent, or rejects after `timeoutMs`. */
  async waitForSent(count: number, timeoutMs = 10_000): Promise<ProviderSend[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.sent.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} sent message(s), got ${this.sent.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.sent.slice(0, count);
  }
}
