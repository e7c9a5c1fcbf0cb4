import { ObrolError } from '@obrol/contracts';

/** Who is calling: an agent (session token) or a back-end system (API key). */
export type Principal =
  | {
      kind: 'agent';
      tenantId: string;
      tenantSlug: string;
      agentId: string;
      role: 'admin' | 'agent';
      /** Channel accounts the agent belongs to; admins see all. */
      inboxIds: ReadonlySet<string> | 'all';
    }
  | {
      kind: 'api-key';
      tenantId: string;
      tenantSlug: string;
      apiKeyId: string;
      role: 'system';
      inboxIds: 'all';
    }
  | {
      /** Obrol itself (boot-time setup such as the demo channel). */
      kind: 'system';
      tenantId: string;
      tenantSlug: string;
      role: 'admin';
      inboxIds: 'all';
    };

export const systemPrincipal = (tenant: { id: string; slug: string }): Principal => ({
  kind: 'system',
  tenantId: tenant.id,
  tenantSlug: tenant.slug,
  role: 'admin',
  inboxIds: 'all',
});

export function canSeeInbox(principal: Principal, channelAccountId: string): boolean {
  return principal.inboxIds === 'all' || principal.inboxIds.has(channelAccountId);
}

/** A record outside the caller's inboxes answers 404: its existence is not revealed. */
export function assertInbox(principal: Principal, channelAccountId: string, what: string): void {
  if (!canSeeInbox(principal, channelAccountId)) throw new ObrolError('NOT_FOUND', `${what} not found.`);
}

export function assertAdmin(principal: Principal): void {
  if (principal.role !== 'admin') {
    throw new ObrolError('FORBIDDEN', 'Only an admin may do this.');
  }
}

export function actorOf(principal: Principal): string {
  if (principal.kind === 'agent') return `agent:${principal.agentId}`;
  return principal.kind === 'api-key' ? `api-key:${principal.apiKeyId}` : 'system';
}
