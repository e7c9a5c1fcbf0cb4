import { fail, graphError, ok, type Checked } from './graph-error.js';
import { newNumericId } from './meta-ids.js';
import type { Scheduler } from './scheduler.js';
import type { SimulatorClock, TemplateReview } from './simulator-options.js';
import {
  hasAdjacentParameters,
  validateTemplateDefinition,
  type SampleTypeOf,
  type TemplateComponentDefinition,
  type TemplateDefinition,
} from './template-rules.js';

/** Statuses the simulator moves templates through. */
export type TemplateStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'PAUSED' | 'DISABLED';

/** A template held by the simulated WABA. */
export interface StoredTemplate extends TemplateDefinition {
  id: string;
  status: TemplateStatus;
  rejected_reason: string;
  createdAt: Date;
}

/** A template to seed at start, in Meta's definition format. */
export interface TemplateSeed {
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  components: TemplateComponentDefinition[];
  parameter_format?: 'POSITIONAL' | 'NAMED';
  /** Default APPROVED. */
  status?: TemplateStatus;
  id?: string;
}

/** The value of a `message_template_status_update` webhook. */
export interface TemplateStatusEvent {
  event: string;
  message_template_id: number;
  message_template_name: string;
  message_template_language: string;
  reason: string | null;
  message_template_category: string;
  rejection_info?: { reason: string; recommendation: string };
}

export interface TemplateListQuery {
  limit?: number;
  after?: string;
  before?: string;
  name?: string;
  language?: string;
  status?: string;
  category?: string;
}

export interface TemplatePage {
  items: StoredTemplate[];
  before?: string;
  after?: string;
  hasNext: boolean;
  hasPrevious: boolean;
}

export const DEFAULT_TEMPLATES: TemplateSeed[] = [
  {
    name: 'hello_world',
    language: 'en_US',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
      {
        type: 'BODY',
        text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.',
      },
      { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
    ],
  },
  {
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY',
    components: [
      { type: 'BODY', text: 'Hi {{1}}, your order {{2}} is now {{3}}.', example: { body_text: [['Maria', '#1234', 'on its way']] } },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Track order' }, { type: 'QUICK_REPLY', text: 'Talk to us' }] },
    ],
  },
  {
    name: 'order_update',
    language: 'id',
    category: 'UTILITY',
    components: [
      { type: 'BODY', text: 'Halo {{1}}, pesanan {{2}} sekarang {{3}}.', example: { body_text: [['Maria', '#1234', 'dalam perjalanan']] } },
    ],
  },
  {
    name: 'appointment_reminder',
    language: 'en_US',
    category: 'UTILITY',
    parameter_format: 'NAMED',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvanBlZw==:ARbSampleHandle'] } },
      {
        type: 'BODY',
        text: 'Hi {{first_name}}, this is a reminder of your appointment on {{appointment_date}} at {{location}}.',
        example: {
          body_text_named_params: [
            { param_name: 'first_name', example: 'Pablo' },
            { param_name: 'appointment_date', example: 'June 3' },
            { param_name: 'location', example: 'Lucky Shrub, Palo Alto' },
          ],
        },
      },
      { type: 'FOOTER', text: 'Reply to confirm' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Confirm' }, { type: 'QUICK_REPLY', text: 'Reschedule' }] },
    ],
  },
];

const encodeCursor = (id: string) => Buffer.from(`tpl:${id}`).toString('base64url');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8').replace(/^tpl:/, '');

/** The WABA's templates: creation with Meta's checks, timed review, listing with cursors. */
export class TemplateStore {
  private readonly templates: StoredTemplate[] = [];

  constructor(
    private readonly clock: SimulatorClock,
    private readonly scheduler: Scheduler,
    private readonly review: TemplateReview,
    private readonly onStatusChange: (event: TemplateStatusEvent) => void,
    seeds: TemplateSeed[] = DEFAULT_TEMPLATES,
    /** The type of an uploaded header sample by its handle (the Resumable Upload API's files). */
    private readonly sampleTypeOf?: SampleTypeOf,
  ) {
    for (const seed of seeds) {
      this.templates.push({
        ...seed,
        parameter_format: seed.parameter_format ?? 'POSITIONAL',
        id: seed.id ?? newNumericId(),
        status: seed.status ?? 'APPROVED',
        rejected_reason: 'NONE',
        createdAt: clock.now(),
      });
    }
  }

  /** Replaces every template with those saved by a state file. */
  restore(templates: StoredTemplate[]): void {
    this.templates.splice(0, this.templates.length, ...templates);
  }

  all(): StoredTemplate[] {
    return [...this.templates];
  }

  find(name: string, language: string): StoredTemplate | undefined {
    return this.templates.find((template) => template.name === name && template.language === language);
  }

  byId(id: string): StoredTemplate | undefined {
    return this.templates.find((template) => template.id === id);
  }

  /** Validates and stores a template as PENDING, then schedules its review. */
  create(body: unknown): Checked<StoredTemplate> {
    const checked = validateTemplateDefinition(body, this.sampleTypeOf);
    if (!checked.ok) return checked;
    const definition = checked.value;
    if (this.find(definition.name, definition.language))
      return fail(graphError(100, `Content in this language already exists: ${definition.name} (${definition.language}).`, 2388024));
    const template: StoredTemplate = { ...definition, id: newNumericId(), status: 'PENDING', rejected_reason: 'NONE', createdAt: this.clock.now() };
    this.templates.push(template);
    this.scheduleReview(template);
    return ok(template);
  }

  /** Replaces components (or the category of a non-approved template) and reviews again. */
  edit(id: string, body: Record<string, unknown>): Checked<StoredTemplate> {
    const template = this.byId(id);
    if (!template) return fail(graphError(100, `Template ${id} does not exist.`));
    if (!['APPROVED', 'REJECTED', 'PAUSED'].includes(template.status))
      return fail(graphError(100, `A template in status ${template.status} cannot be edited.`, 2388039));
    if (body.category !== undefined && template.status === 'APPROVED' && String(body.category).toUpperCase() !== template.category)
      return fail(graphError(100, 'The category of an approved template cannot be edited.'));
    const checked = validateTemplateDefinition({
      name: template.name,
      language: template.language,
      category: body.category ?? template.category,
      parameter_format: body.parameter_format ?? template.parameter_format,
      components: body.components ?? template.components,
    }, body.components === undefined ? undefined : this.sampleTypeOf);
    if (!checked.ok) return checked;
    Object.assign(template, checked.value, { status: 'PENDING', rejected_reason: 'NONE' });
    this.scheduleReview(template);
    return ok(template);
  }

  /**
   * Meta changes a template's status on its own (quality pauses, disabling, reinstating): the
   * status is stored and the `message_template_status_update` webhook sent. False when unknown.
   */
  setStatus(name: string, language: string, status: 'APPROVED' | 'PAUSED' | 'DISABLED', reason: string | null = null): boolean {
    const template = this.find(name, language);
    if (!template) return false;
    template.status = status;
    this.onStatusChange(this.statusEvent(template, status, reason));
    return true;
  }

  /** Deletes every language of `name`, or only the one with `hsmId`; false when nothing matched. */
  delete(name: string, hsmId?: string): boolean {
    const doomed = this.templates.filter((template) => template.name === name && (hsmId === undefined || template.id === hsmId));
    for (const template of doomed) {
      this.templates.splice(this.templates.indexOf(template), 1);
      this.onStatusChange(this.statusEvent(template, 'DELETED', null));
    }
    return doomed.length > 0;
  }

  /** Filters, then pages with opaque cursors pointing at the first and last item of the page. */
  list(query: TemplateListQuery): TemplatePage {
    const status = query.status?.toUpperCase();
    const filtered = this.templates.filter(
      (template) =>
        (query.name === undefined || template.name.includes(query.name)) &&
        (query.language === undefined || template.language === query.language) &&
        (status === undefined || template.status === status) &&
        (query.category === undefined || template.category === query.category.toUpperCase()),
    );
    const limit = Math.max(1, Math.min(query.limit ?? 25, 1_000));
    let start = 0;
    let end = Math.min(filtered.length, limit);
    if (query.after !== undefined) {
      const index = filtered.findIndex((template) => template.id === decodeCursor(query.after!));
      start = index + 1;
      end = Math.min(filtered.length, start + limit);
    } else if (query.before !== undefined) {
      const index = filtered.findIndex((template) => template.id === decodeCursor(query.before!));
      end = Math.max(0, index);
      start = Math.max(0, end - limit);
    }
    const items = filtered.slice(start, end);
    return {
      items,
      before: items[0] && encodeCursor(items[0].id),
      after: items.at(-1) && encodeCursor(items.at(-1)!.id),
      hasNext: end < filtered.length,
      hasPrevious: start > 0,
    };
  }

  private scheduleReview(template: StoredTemplate): void {
    this.scheduler.after(this.review.delayMs, () => {
      if (!this.templates.includes(template) || template.status !== 'PENDING') return;
      const badFormat = hasAdjacentParameters(template);
      if (this.review.mode === 'reject' || badFormat) {
        template.status = 'REJECTED';
        template.rejected_reason = badFormat ? 'INVALID_FORMAT' : this.review.reason;
        const event = this.statusEvent(template, 'REJECTED', template.rejected_reason);
        if (badFormat)
          event.rejection_info = {
            reason: 'Your template has parameters placed next to each other (like {{1}}{{2}}) without text or punctuation between them.',
            recommendation: 'Add text or punctuation between parameters.',
          };
        this.onStatusChange(event);
      } else {
        template.status = 'APPROVED';
        this.onStatusChange(this.statusEvent(template, 'APPROVED', 'NONE'));
      }
    });
  }

  private statusEvent(template: StoredTemplate, event: string, reason: string | null): TemplateStatusEvent {
    return {
      event,
      message_template_id: Number(template.id),
      message_template_name: template.name,
      message_template_language: template.language,
      reason,
      message_template_category: template.category,
    };
  }
}

/** Fields a template node has (MD/templates/template-management, WHATSAPP.md §4.1); Graph refuses any other. */
const TEMPLATE_FIELDS = new Set([
  'id',
  'name',
  'language',
  'status',
  'category',
  'sub_category',
  'components',
  'parameter_format',
  'rejected_reason',
  'quality_score',
  'correct_category',
  'previous_category',
  'message_send_ttl_seconds',
  'library_template_name',
  'cta_url_link_tracking_opted_out',
]);

/** The first requested field a template does not have, if any. */
export function unknownTemplateField(fields: string[] | undefined): string | undefined {
  return fields?.find((field) => !TEMPLATE_FIELDS.has(field));
}

/** A template in the shape of Meta's list response, restricted to `fields` when given. */
export function templateToWire(template: StoredTemplate, fields: string[] | undefined): Record<string, unknown> {
  const all: Record<string, unknown> = {
    name: template.name,
    parameter_format: template.parameter_format,
    components: template.components,
    language: template.language,
    status: template.status,
    category: template.category,
    id: template.id,
    rejected_reason: template.rejected_reason,
    quality_score: { score: 'UNKNOWN', date: Math.floor(template.createdAt.getTime() / 1_000) },
    sub_category: undefined,
  };
  const wanted = fields ?? ['name', 'parameter_format', 'components', 'language', 'status', 'category', 'id'];
  return Object.fromEntries(Object.entries(all).filter(([key, value]) => (wanted.includes(key) || key === 'id') && value !== undefined));
}
