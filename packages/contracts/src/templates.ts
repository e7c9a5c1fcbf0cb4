import { z } from 'zod';

/**
 * Approved message templates (WhatsApp's HSM). The shapes follow the common structure of a
 * template (header, body, footer, buttons) so the core can store, show and preview them
 * without knowing the provider.
 */

export const templateCategorySchema = z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']);
export type TemplateCategory = z.infer<typeof templateCategorySchema>;

/** Provider status, upper case as Meta reports it (PENDING, APPROVED, REJECTED, PAUSED, DISABLED…). */
export const templateStatusSchema = z.string().min(1).max(64);

/** Example values: positional (`["Maria", "#123"]`) or named (`{ first_name: "Maria" }`). */
const examplesSchema = z.union([z.array(z.string()), z.record(z.string(), z.string())]);

export const templateHeaderSchema = z.discriminatedUnion('format', [
  z.object({ format: z.literal('TEXT'), text: z.string().min(1), examples: examplesSchema.optional() }),
  z.object({ format: z.literal('IMAGE'), exampleUrl: z.string().optional() }),
  z.object({ format: z.literal('VIDEO'), exampleUrl: z.string().optional() }),
  z.object({ format: z.literal('DOCUMENT'), exampleUrl: z.string().optional() }),
  z.object({ format: z.literal('LOCATION') }),
]);
export type TemplateHeader = z.infer<typeof templateHeaderSchema>;

export const templateButtonSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('QUICK_REPLY'), text: z.string().min(1) }),
  z.object({ type: z.literal('URL'), text: z.string().min(1), url: z.string().min(1), example: z.string().optional() }),
  z.object({ type: z.literal('PHONE_NUMBER'), text: z.string().min(1), phoneNumber: z.string().min(1) }),
  z.object({ type: z.literal('COPY_CODE'), example: z.string().optional() }),
  z.object({ type: z.literal('OTP'), otpType: z.enum(['COPY_CODE', 'ONE_TAP', 'ZERO_TAP']), text: z.string().optional() }),
]);
export type TemplateButton = z.infer<typeof templateButtonSchema>;

export const templateComponentsSchema = z.object({
  header: templateHeaderSchema.optional(),
  body: z.object({ text: z.string().min(1), examples: examplesSchema.optional() }),
  footer: z.object({ text: z.string().min(1) }).optional(),
  buttons: z.array(templateButtonSchema).optional(),
});
export type TemplateComponents = z.infer<typeof templateComponentsSchema>;

/** A template to submit for approval. */
export const templateDraftSchema = z.object({
  name: z.string().min(1),
  language: z.string().min(2),
  category: templateCategorySchema,
  /** `{{1}}` variables, or `{{first_name}}` variables. */
  parameterFormat: z.enum(['positional', 'named']).default('positional'),
  components: templateComponentsSchema,
});
export type TemplateDraft = z.infer<typeof templateDraftSchema>;

/** A template as the provider holds it. */
export const templateDefinitionSchema = templateDraftSchema.extend({
  externalId: z.string().optional(),
  status: templateStatusSchema,
  rejectionReason: z.string().nullable().optional(),
  quality: z.string().nullable().optional(),
});
export type TemplateDefinition = z.infer<typeof templateDefinitionSchema>;

/** One problem found by a linter or a parameter check, with where it is. */
export interface TemplateProblem {
  /** A path such as `components.body.text` or `parameters.body[1]`. */
  path: string;
  /** A sentence that says what is wrong and how to fix it. */
  message: string;
  /** A stable id of the rule, e.g. `name.format`: apps translate the message by it. */
  rule: string;
  /** The values the sentence names (a length, a limit, a variable), for a translation to fill in. */
  params?: Record<string, string | number>;
}
