import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import { ObrolError } from '@obrol/contracts';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { databaseKindOf } from '../database/orm-config.js';

const MINUTE = 60;

/**
 * Limits logins per client address and per account. On PostgreSQL (several api processes) the
 * counters live in `rate_limit_counters`; the single node (one process) keeps them in memory.
 */
@Injectable()
export class LoginThrottle {
  private readonly perAddress: RateLimiterAbstract;
  private readonly perAccount: RateLimiterAbstract;
  private readonly accountLimit: number;

  constructor(orm: MikroORM, @Inject(CORE_OPTIONS) options: CoreOptions) {
    const addressLimit = { points: options.loginRateLimitPerMinute ?? 10, duration: MINUTE };
    this.accountLimit = options.loginFailuresPerAccount ?? 10;
    const accountLimit = { points: this.accountLimit, duration: 15 * MINUTE };
    if (databaseKindOf(options.database.url) === 'postgresql') {
      const knex = (orm.em.getConnection() as unknown as { getKnex(): Knex }).getKnex();
      const store = { storeClient: knex, storeType: 'knex', tableName: 'rate_limit_counters', tableCreated: true };
      this.perAddress = new RateLimiterPostgres({ ...store, ...addressLimit, keyPrefix: 'login-address' });
      this.perAccount = new RateLimiterPostgres({ ...store, ...accountLimit, keyPrefix: 'login-account' });
    } else {
      this.perAddress = new RateLimiterMemory({ ...addressLimit, keyPrefix: 'login-address' });
      this.perAccount = new RateLimiterMemory({ ...accountLimit, keyPrefix: 'login-account' });
    }
  }

  /** Counts an attempt from `address`; refuses it when the address or the account is over its limit. */
  async attempt(address: string, email: string): Promise<void> {
    try {
      await this.perAddress.consume(address);
    } catch (error) {
      throw refusal(error);
    }
    const account = await this.perAccount.get(accountKey(email));
    if (account && account.consumedPoints >= this.accountLimit) throw refusal(account);
  }

  async failed(email: string): Promise<void> {
    await this.perAccount.penalty(accountKey(email));
  }

  async succeeded(email: string): Promise<void> {
    await this.perAccount.delete(accountKey(email));
  }
}

/** Emails are personal data: the counter's key is their hash. */
const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

function refusal(error: unknown): Error {
  if (!(error instanceof RateLimiterRes)) return error as Error;
  const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
  return new ObrolError('RATE_LIMITED', `Too many login attempts; try again in ${seconds} s.`, { retryAfterSeconds: seconds });
}
