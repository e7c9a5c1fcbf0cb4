import type { TemplateParameters } from '@obrol/contracts';
import type { RecipientReasonCode, VariableMapping } from './broadcast.schemas.js';
import { type RecipientProblem, type RecipientValues, resolveParameters } from './variable-resolution.js';

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
  | { status: 'pending'; reason: null; reasonCode: null; reasonParams: null; parameters: TemplateParameters }
  | { status: 'skipped' | 'suppressed'; reason: string; reasonCode: RecipientReasonCode; reasonParams: Record<string, string | number>; parameters: null };

/** Skipped or suppressed for `problems`: the first one's code is what the apps translate; the words name them all. */
function notSent(status: 'skipped' | 'suppressed', problems: RecipientProblem[]): RecipientPlan {
  return { status, reason: problems.map((p) => p.text).join(' '), reasonCode: problems[0]!.code, reasonParams: problems[0]!.params, parameters: null };
}

/** Decides one recipient at start; validation runs the same decision without storing it. */
export function planRecipient(input: RecipientPlanInput): RecipientPlan {
  if (input.optedOutAt) return notSent('suppressed', [optedOut(input.optedOutAt)]);
  if (input.templateCategory === 'MARKETING' && input.country && input.marketingBlockedCountries.includes(input.country)) {
    const { country } = input;
    return notSent('skipped', [{ code: 'MARKETING_COUNTRY_BLOCKED', params: { country }, text: `WhatsApp does not deliver marketing templates to numbers in ${country}.` }]);
  }
  const resolved = resolveParameters(input.mapping, input, { providerMediaId: input.headerMediaProviderId });
  if (!resolved.ok) return notSent('skipped', resolved.problems);
  return { status: 'pending', reason: null, reasonCode: null, reasonParams: null, parameters: resolved.parameters };
}

/** Why a customer who opted out at `at` is suppressed: at start, or when they opt out while the broadcast runs. */
export function optedOut(at: Date): RecipientProblem & { params: { date: string } } {
  const date = at.toISOString().slice(0, 10);
  return { code: 'OPTED_OUT', params: { date }, text: `Opted out on ${date}.` };
}
