import type { TemplateParameters } from '@obrol/contracts';
import type { VariableMapping } from './broadcast.schemas.js';
import { type RecipientValues, resolveParameters } from './variable-resolution.js';

export interface RecipientPlanInput extends RecipientValues {
  mapping: VariableMapping;
  templateCategory: string;
  country: string | null;
  marketingBlockedCountries: string[];
  /** When the customer opted out, if they did. */
  optedOutAt: Date | null;
  /** The provider's id of the broadcast's uploaded header file, once uploaded at start. */
  headerMediaProviderId?: string | null;
}

/** What a recipient gets at start: sent with these parameters, skipped for a reason, or suppressed. */
export type RecipientPlan =
  | { status: 'pending'; reason: null; parameters: TemplateParameters }
  | { status: 'skipped' | 'suppressed'; reason: string; parameters: null };

/** Decides one recipient at start; validation runs the same decision without storing it. */
export function planRecipient(input: RecipientPlanInput): RecipientPlan {
  if (input.optedOutAt) return { status: 'suppressed', reason: `Opted out on ${input.optedOutAt.toISOString().slice(0, 10)}.`, parameters: null };
  if (input.templateCategory === 'MARKETING' && input.country && input.marketingBlockedCountries.includes(input.country)) {
    return { status: 'skipped', reason: `WhatsApp does not deliver marketing templates to numbers in ${input.country}.`, parameters: null };
  }
  const resolved = resolveParameters(input.mapping, input, { providerMediaId: input.headerMediaProviderId });
  if (!resolved.ok) return { status: 'skipped', reason: resolved.problems.join(' '), parameters: null };
  return { status: 'pending', reason: null, parameters: resolved.parameters };
}
