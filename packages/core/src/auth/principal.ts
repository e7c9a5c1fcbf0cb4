import { ObrolError } from '@obrol/contracts';

/** What an API key may do: `read` (GET routes and the realtime socket), `send` (send messages, upload media to send). */
export const API_KEY_SCOPES = ['read', 'send'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Who is calling: an agent (session token) or a back-end system (API key). */
export type Principal =
  | {
      kind: 'agent';
      tenantId: string;
      tenantSlug: string;
      agentId: string;
      role: 'admin' | 'agent' | 'marketer';
      /** Channel accounts the agent belongs to; admins see all. */
      inboxIds: ReadonlySet<string> | 'all';
    }
  | {
      kind: 'api-key';
      tenantId: string;
      tenantSlug: string;
      apiKeyId: string;
      role: 'system';
      /** The inboxes the key is limited to, or all. */
      inboxIds: ReadonlySet<string> | 'all';
      scopes: ReadonlySet<ApiKeyScope>;
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

/**
 * An API key may do only what its scopes allow: GET routes need `read`, routes marked
 * `@RequiresScope('send')` need `send`, every other change needs both. Agents are not limited here.
 */
export function assertScope(principal: Principal, needed: ApiKeyScope | 'all'): void {
  if (principal.kind !== 'api-key') return;
  const missing = (needed === 'all' ? API_KEY_SCOPES : [needed]).filter((s) => !principal.scopes.has(s));
  if (missing.length) {
    throw new ObrolError('FORBIDDEN', `This API key lacks the ${missing.join(' and ')} scope (it has: ${[...principal.scopes].join(', ') || 'none'}).`);
  }
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
