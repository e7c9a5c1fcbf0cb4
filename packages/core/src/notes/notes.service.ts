import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type Clock, type NoteView, ObrolError, liveEvents } from '@obrol/contracts';
import { z } from 'zod';
import { Agent } from '../agents/agent.entity.js';
import type { Principal } from '../auth/principal.js';
import { CLOCK } from '../clock/clock.token.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { recordLive } from '../outbox/outbox.js';
import { Note } from './note.entity.js';

export const createNoteSchema = z.object({
  text: z.string().trim().min(1).max(4000),
  /** Agents mentioned in the text (as `@Name`); each is notified. */
  mentionedAgentIds: z.array(z.string().max(36)).max(20).default([]),
});

export { type NoteView, noteViewSchema } from '@obrol/contracts';

export const noteView = (n: Note): NoteView => ({
  id: n.id,
  conversationId: n.conversation.id,
  authorId: n.author?.id ?? null,
  authorName: n.author?.name ?? null,
  text: n.text,
  mentionedAgentIds: n.mentionedAgentIds,
  createdAt: n.createdAt.toISOString(),
});

/** Private notes between agents in a conversation, and the mentions that notify agents. */
@Injectable()
export class NotesService {
  constructor(
    private readonly orm: MikroORM,
    private readonly conversations: ConversationsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(principal: Principal, conversationId: string): Promise<NoteView[]> {
    const em = this.orm.em.fork();
    const c = await this.conversations.get(principal, conversationId, em);
    const notes = await em.find(Note, { conversation: c }, { populate: ['author'], orderBy: { createdAt: 'asc', id: 'asc' } });
    return notes.map(noteView);
  }

  async create(principal: Principal, conversationId: string, input: z.infer<typeof createNoteSchema>): Promise<NoteView> {
    if (principal.kind !== 'agent') throw new ObrolError('FORBIDDEN', 'Notes are written by agents; use an agent session.');
    const em = this.orm.em.fork();
    const c = await this.conversations.get(principal, conversationId, em);
    const mentionedIds = [...new Set(input.mentionedAgentIds)].filter((id) => id !== principal.agentId);
    const mentioned = mentionedIds.length ? await em.find(Agent, { id: { $in: mentionedIds }, tenantId: principal.tenantId, active: true }, { populate: ['inboxes'] }) : [];
    const outside = mentionedIds.filter((id) => {
      const agent = mentioned.find((a) => a.id === id);
      return !agent || (agent.role !== 'admin' && !agent.inboxes.getItems().some((i) => i.id === c.channelAccount.id));
    });
    if (outside.length) {
      throw new ObrolError('VALIDATION_FAILED', 'A mentioned agent is not an active agent of this inbox.', { problems: [{ field: 'mentionedAgentIds', message: `not in this inbox: ${outside.join(', ')}` }] });
    }
    const now = this.clock.now();
    const author = await em.findOneOrFail(Agent, principal.agentId);
    const note = em.create(Note, { tenantId: principal.tenantId, conversation: c, author, text: input.text, mentionedAgentIds: mentioned.map((a) => a.id), createdAt: now, updatedAt: now });
    const view = noteView(note);
    const tenant = principal.tenantSlug;
    const where = { channelAccountId: c.channelAccount.id, conversationId: c.id };
    recordLive(em, tenant, now, liveEvents.noteCreated(tenant, { ...where, data: { note: view } }));
    for (const agent of mentioned) recordLive(em, tenant, now, liveEvents.agentMentioned(tenant, { ...where, recipientAgentId: agent.id, data: { note: view } }));
    await em.flush();
    return view;
  }
}
