import { z } from 'zod';

const META_ID = /^\d{5,25}$/;
const NO_WHITESPACE = /^\S*$/;

/** Hosts plain http may reach without OBROL_ALLOW_INSECURE_GRAPH: this machine (the simulator, tests). */
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The Graph API origin. It receives the channel's access token, so it is https, except on
 * loopback (the simulator) or when the operator allows insecure origins for tests.
 */
const graphApiBaseUrlSchema = (allowInsecure: boolean) =>
  z
    .url({ protocol: /^https?$/, error: 'graphApiBaseUrl must be an http(s) URL such as https://graph.facebook.com' })
    .refine((url) => !/^[a-z]+:\/\/[^/]*@/i.test(url), { error: 'graphApiBaseUrl must not contain a user name or password' })
    .refine((url) => allowInsecure || !/^http:/i.test(url) || LOOPBACK_HOST.test(new URL(url).hostname), {
      error: 'graphApiBaseUrl must be an https:// URL (plain http:// only on this machine, e.g. the simulator at http://127.0.0.1:…, unless OBROL_ALLOW_INSECURE_GRAPH=true)',
    })
    .default('https://graph.facebook.com')
    .transform((url) => url.replace(/\/+$/, ''));

/**
 * The configuration of one WhatsApp channel account (one business phone number).
 * `accessToken`, `appSecret` and `verifyToken` are secrets: encrypted at rest, never returned.
 */
const whatsAppConfigShape = z.object({
  /** The "Phone number ID" from WhatsApp Manager → API Setup (digits), not the phone number. */
  phoneNumberId: z
    .string({ error: 'phoneNumberId is required' })
    .trim()
    .regex(META_ID, {
      error:
        'phoneNumberId must be the numeric "Phone number ID" shown in Meta\'s API Setup (digits only, e.g. 106540352242922), not the phone number itself',
    })
    .meta({ title: 'Phone number ID', description: 'WhatsApp Manager → API Setup: the numeric "Phone number ID" (not the phone number itself).' }),
  /** The WhatsApp Business Account ID (digits); templates live here. */
  wabaId: z
    .string({ error: 'wabaId is required' })
    .trim()
    .regex(META_ID, {
      error: 'wabaId must be the numeric "WhatsApp Business Account ID" shown in Meta\'s API Setup (digits only)',
    })
    .meta({ title: 'WhatsApp Business Account ID', description: 'API Setup: the numeric "WhatsApp Business Account ID"; templates live here.' }),
  /** A system-user or business access token with whatsapp_business_messaging and _management. */
  accessToken: z
    .string({ error: 'accessToken is required' })
    .trim()
    .min(8, { error: 'accessToken is too short to be a Meta access token; paste the whole token' })
    .max(2048, { error: 'accessToken is longer than any Meta access token (2048 characters)' })
    .regex(NO_WHITESPACE, { error: 'accessToken must not contain spaces; paste the token without the "Bearer " prefix' })
    .meta({ title: 'Access token', description: 'A permanent System User token (Business Settings → System users) with whatsapp_business_messaging and whatsapp_business_management.' }),
  /** The Meta app's App secret (App settings → Basic); signs webhook deliveries. */
  appSecret: z
    .string({ error: 'appSecret is required' })
    .trim()
    .min(8, { error: 'appSecret is too short; Meta\'s App secret is 32 hexadecimal characters (App settings → Basic)' })
    .max(256, { error: 'appSecret is too long; Meta\'s App secret is 32 hexadecimal characters' })
    .regex(NO_WHITESPACE, { error: 'appSecret must not contain spaces' })
    .meta({ title: 'App secret', description: 'App Dashboard → App settings → Basic → App secret; checks that webhooks really come from Meta.' }),
  /** The string typed into "Verify token" in the app's WhatsApp webhook configuration. */
  verifyToken: z
    .string({ error: 'verifyToken is required' })
    .min(1, { error: 'verifyToken must not be empty' })
    .max(256, { error: 'verifyToken must be at most 256 characters' })
    .regex(NO_WHITESPACE, { error: 'verifyToken must not contain spaces' })
    .meta({ title: 'Verify token', description: 'Any phrase you choose; type the same into "Verify token" when you add the webhook in the App Dashboard.' }),
  /** The Meta app's id: the Resumable Upload API that takes template header samples lives on the app. */
  appId: z
    .string()
    .trim()
    .regex(META_ID, { error: 'appId must be the numeric "App ID" shown at the top of the App Dashboard (digits only)' })
    .optional()
    .meta({ title: 'App ID', description: 'App Dashboard → top of the page: the numeric "App ID". Needed to upload sample media for template headers.' }),
  /** The Graph API origin; point it at the simulator for tests and demos. */
  graphApiBaseUrl: graphApiBaseUrlSchema(false).meta({ title: 'Graph API address', description: 'Leave as is, unless you point it at the WhatsApp simulator for a test.' }),
  /** The Graph API version, e.g. v26.0. */
  graphApiVersion: z
    .string()
    .regex(/^v\d{1,3}\.\d{1,3}$/, { error: 'graphApiVersion must look like v26.0 (a "v", the major version, a dot, the minor version)' })
    .default('v26.0')
    .meta({ title: 'Graph API version' }),
});

/** The configuration schema; `allowInsecureGraph` (OBROL_ALLOW_INSECURE_GRAPH) lets http reach any host. */
export const whatsAppConfigSchemaFor = (options: { allowInsecureGraph?: boolean } = {}) =>
  options.allowInsecureGraph ? whatsAppConfigShape.extend({ graphApiBaseUrl: graphApiBaseUrlSchema(true).meta(whatsAppConfigShape.shape.graphApiBaseUrl.meta() ?? {}) }) : whatsAppConfigShape;

export const whatsAppConfigSchema = whatsAppConfigSchemaFor();

/** A validated WhatsApp channel account configuration. */
export type WhatsAppConfig = z.infer<typeof whatsAppConfigSchema>;

/** The config keys that are secrets. */
export const WHATSAPP_SECRET_FIELDS = ['accessToken', 'appSecret', 'verifyToken'] as const satisfies readonly (keyof WhatsAppConfig)[];
