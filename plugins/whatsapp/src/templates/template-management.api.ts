import { err, ok, type ChannelError, type Result, type TemplateDefinition, type TemplateDraft } from '@obrol/contracts';
import type { GraphApiClient } from '../graph-api.client.js';
import { asArray, asRecord, asString } from '../json-payload.reader.js';
import { lintTemplate } from './template.linter.js';
import { fromMetaTemplate, toMetaTemplateCreate } from './template.mapper.js';

/** Fields asked for when listing templates. */
export const TEMPLATE_LIST_FIELDS = 'id,name,language,status,category,sub_category,parameter_format,components,rejected_reason,quality_score';
/** Stops a paging loop that never ends (a broken `next` link): 1000 pages × 100 templates. */
const MAX_PAGES = 1000;

/** Every template of the WABA, following `paging.next` over all pages. */
export async function listTemplates(graph: GraphApiClient, wabaId: string): Promise<Result<TemplateDefinition[], ChannelError>> {
  const templates: TemplateDefinition[] = [];
  const seen = new Set<string>();
  let next: string | undefined = graph.url(`${wabaId}/message_templates`, { limit: '100', fields: TEMPLATE_LIST_FIELDS });
  for (let page = 0; next && page < MAX_PAGES; page++) {
    seen.add(next);
    const res = await graph.request({ method: 'GET', path: next });
    if (!res.ok) return res;
    const body = asRecord(res.value);
    for (const raw of asArray(body?.['data'])) {
      const template = fromMetaTemplate(raw);
      if (template) templates.push(template);
    }
    const candidate = asString(asRecord(body?.['paging'])?.['next']);
    next = candidate && !seen.has(candidate) ? candidate : undefined;
  }
  return ok(templates);
}

/**
 * Submits a draft for review. Drafts the linter refuses are not sent (TEMPLATE_LINT_FAILED
 * with the problems in `details`), since Meta would reject them and count the attempt.
 */
export async function createTemplate(graph: GraphApiClient, wabaId: string, draft: TemplateDraft): Promise<Result<TemplateDefinition, ChannelError>> {
  const problems = lintTemplate(draft);
  if (problems.length > 0) {
    return err({
      code: 'TEMPLATE_LINT_FAILED',
      message: `WhatsApp would reject this template: ${problems[0]!.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : ''}`,
      retryable: false,
      details: { problems },
    });
  }
  const res = await graph.request({ method: 'POST', path: `${wabaId}/message_templates`, body: { json: toMetaTemplateCreate(draft) } });
  if (!res.ok) return res;
  const body = asRecord(res.value);
  const id = asString(body?.['id']);
  if (!id) return err({ code: 'CHANNEL_ERROR', message: 'WhatsApp did not return an id for the new template.', retryable: false });
  const category = asString(body?.['category']);
  return ok({
    ...draft,
    // Meta may approve a UTILITY draft as MARKETING; its answer wins.
    category: category === 'MARKETING' || category === 'UTILITY' || category === 'AUTHENTICATION' ? category : draft.category,
    externalId: id,
    status: asString(body?.['status']) ?? 'PENDING',
    rejectionReason: null,
    quality: null,
  });
}

/** Edits a template in place (`POST /{template_id}`): new components (and category, unless approved); Meta reviews it again. */
export async function updateTemplate(graph: GraphApiClient, externalId: string, draft: TemplateDraft): Promise<Result<TemplateDefinition, ChannelError>> {
  const problems = lintTemplate(draft);
  if (problems.length > 0) {
    return err({ code: 'TEMPLATE_LINT_FAILED', message: `WhatsApp would reject this template: ${problems[0]!.message}`, retryable: false, details: { problems } });
  }
  const { category, components } = toMetaTemplateCreate(draft) as { category: string; components: unknown };
  const res = await graph.request({ method: 'POST', path: externalId, body: { json: { category, components } } });
  if (!res.ok) return res;
  return ok({ ...draft, externalId, status: 'PENDING', rejectionReason: null, quality: null });
}

/** Deletes a template by name (all languages), or only the one with `externalId` (hsm_id). */
export async function removeTemplate(graph: GraphApiClient, wabaId: string, name: string, externalId: string | undefined): Promise<Result<void, ChannelError>> {
  const res = await graph.request({
    method: 'DELETE',
    path: `${wabaId}/message_templates`,
    query: { name, ...(externalId ? { hsm_id: externalId } : {}) },
  });
  return res.ok ? ok(undefined) : res;
}
