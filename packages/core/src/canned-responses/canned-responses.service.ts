import { Injectable } from '@nestjs/common';
import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import { ObrolError } from '@obrol/contracts';
import { z } from 'zod';
import { type Principal, assertAdmin } from '../auth/principal.js';
import { CannedResponse } from './canned-response.entity.js';

export const cannedResponseInputSchema = z.object({
  shortcut: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[\p{L}\p{N}_-]{1,40}$/u, 'letters, digits, - and _ only, at most 40'),
  /** May hold `{{contact.name}}`, `{{contact.phone}}` and `{{contact.<attribute>}}`, filled when inserted. */
  text: z.string().trim().min(1).max(4096),
});
export const cannedResponseViewSchema = z.object({ id: z.string(), shortcut: z.string(), text: z.string(), updatedAt: z.iso.datetime() });
export type CannedResponseView = z.infer<typeof cannedResponseViewSchema>;

const view = (c: CannedResponse): CannedResponseView => ({ id: c.id, shortcut: c.shortcut, text: c.text, updatedAt: c.updatedAt.toISOString() });

/** The team's canned responses: every agent reads them, admins manage them. */
@Injectable()
export class CannedResponsesService {
  constructor(private readonly orm: MikroORM) {}

  async list(principal: Principal): Promise<CannedResponseView[]> {
    return (await this.orm.em.fork().find(CannedResponse, { tenantId: principal.tenantId }, { orderBy: { shortcut: 'asc' } })).map(view);
  }

  async create(principal: Principal, input: z.infer<typeof cannedResponseInputSchema>): Promise<CannedResponseView> {
    assertAdmin(principal);
    const em = this.orm.em.fork();
    const canned = em.create(CannedResponse, { tenantId: principal.tenantId, ...input });
    await this.flush(em, input.shortcut);
    return view(canned);
  }

  async update(principal: Principal, id: string, input: Partial<z.infer<typeof cannedResponseInputSchema>>): Promise<CannedResponseView> {
    assertAdmin(principal);
    const em = this.orm.em.fork();
    const canned = await em.findOne(CannedResponse, { id, tenantId: principal.tenantId });
    if (!canned) throw new ObrolError('NOT_FOUND', 'Canned response not found.');
    if (input.shortcut !== undefined) canned.shortcut = input.shortcut;
    if (input.text !== undefined) canned.text = input.text;
    await this.flush(em, canned.shortcut);
    return view(canned);
  }

  async remove(principal: Principal, id: string): Promise<void> {
    assertAdmin(principal);
    const removed = await this.orm.em.fork().nativeDelete(CannedResponse, { id, tenantId: principal.tenantId });
    if (removed === 0) throw new ObrolError('NOT_FOUND', 'Canned response not found.');
  }

  private async flush(em: ReturnType<MikroORM['em']['fork']>, shortcut: string): Promise<void> {
    try {
      await em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new ObrolError('CONFLICT', `A canned response /${shortcut} already exists.`);
      throw error;
    }
  }
}
