#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { SIMULATOR_DEFAULTS, type WhatsAppSimulatorOptions } from './simulator-options.js';
import { startWhatsAppSimulator } from './whatsapp-simulator.js';

const USAGE = `obrol-wa-sim: a local stand-in for Meta's WhatsApp Cloud API

Usage: obrol-wa-sim [options]

  --port <n>                  OBROL_WA_SIM_PORT                  (default 3030; 0 = random)
  --host <host>               OBROL_WA_SIM_HOST                  (default 127.0.0.1)
  --access-token <token>      OBROL_WA_SIM_ACCESS_TOKEN          (default ${SIMULATOR_DEFAULTS.accessToken})
  --app-secret <secret>       OBROL_WA_SIM_APP_SECRET            (default ${SIMULATOR_DEFAULTS.appSecret})
  --webhook-url <url>         OBROL_WA_SIM_WEBHOOK_URL           (where signed webhooks are POSTed)
  --verify-token <token>      OBROL_WA_SIM_VERIFY_TOKEN          (run Meta's GET handshake against the webhook URL first)
  --phone-number-id <id>      OBROL_WA_SIM_PHONE_NUMBER_ID       (default ${SIMULATOR_DEFAULTS.phoneNumberId})
  --waba-id <id>              OBROL_WA_SIM_WABA_ID               (default ${SIMULATOR_DEFAULTS.wabaId})
  --display-phone-number <n>  OBROL_WA_SIM_DISPLAY_PHONE_NUMBER  (default ${SIMULATOR_DEFAULTS.displayPhoneNumber})
  --template-review <mode>    OBROL_WA_SIM_TEMPLATE_REVIEW       (approve | reject; default approve)
  --no-auto-read              OBROL_WA_SIM_AUTO_READ=false       (customers read only when their chat is open in the page)
  --state-file <path>         OBROL_WA_SIM_STATE_FILE            (keep customers, messages and templates across restarts)
  -h, --help
`;

/** Reads one setting: the flag wins over `OBROL_WA_SIM_*`. */
function setting(flag: string | undefined, env: string): string | undefined {
  return flag ?? (process.env[`OBROL_WA_SIM_${env}`] || undefined);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'access-token': { type: 'string' },
      token: { type: 'string' },
      'app-secret': { type: 'string' },
      'webhook-url': { type: 'string' },
      'verify-token': { type: 'string' },
      'phone-number-id': { type: 'string' },
      'waba-id': { type: 'string' },
      'display-phone-number': { type: 'string' },
      'template-review': { type: 'string' },
      'no-auto-read': { type: 'boolean' },
      'state-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = Number(setting(values.port, 'PORT') ?? 3030);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port / OBROL_WA_SIM_PORT must be a port number (got ${values.port ?? process.env.OBROL_WA_SIM_PORT}).`);
  const review = setting(values['template-review'], 'TEMPLATE_REVIEW') ?? 'approve';
  if (review !== 'approve' && review !== 'reject') throw new Error(`--template-review / OBROL_WA_SIM_TEMPLATE_REVIEW must be approve or reject (got ${review}).`);
  const autoRead = !values['no-auto-read'] && process.env.OBROL_WA_SIM_AUTO_READ !== 'false';

  const options: WhatsAppSimulatorOptions = {
    port,
    host: setting(values.host, 'HOST'),
    accessToken: setting(values['access-token'] ?? values.token, 'ACCESS_TOKEN'),
    appSecret: setting(values['app-secret'], 'APP_SECRET'),
    webhookUrl: setting(values['webhook-url'], 'WEBHOOK_URL'),
    phoneNumberId: setting(values['phone-number-id'], 'PHONE_NUMBER_ID'),
    wabaId: setting(values['waba-id'], 'WABA_ID'),
    displayPhoneNumber: setting(values['display-phone-number'], 'DISPLAY_PHONE_NUMBER'),
    templateReview: { mode: review },
    stateFile: setting(values['state-file'], 'STATE_FILE'),
    ...(autoRead ? {} : { statusDelaysMs: { read: undefined } }),
  };
  const verifyToken = setting(values['verify-token'], 'VERIFY_TOKEN');
  void run(options, verifyToken);
}

async function run(options: WhatsAppSimulatorOptions, verifyToken: string | undefined): Promise<void> {
  const simulator = await startWhatsAppSimulator(options);
  const { config } = simulator;
  if (verifyToken && config.webhookUrl) {
    const verified = await simulator.verifyWebhook(verifyToken);
    process.stdout.write(`Webhook handshake with ${config.webhookUrl}: ${verified ? 'verified' : 'FAILED (webhooks are still sent)'}\n`);
  }
  process.stdout.write(
    [
      `obrol-wa-sim listening on ${simulator.url}`,
      `  customer page     ${simulator.url}/`,
      `  Graph base URL    ${simulator.url}  (e.g. POST ${simulator.url}/${config.apiVersion}/${config.phoneNumberId}/messages)`,
      `  phone number id   ${config.phoneNumberId}   WABA id ${config.wabaId}   display +${config.displayPhoneNumber}`,
      `  access token      ${config.accessToken}`,
      `  app secret        ${config.appSecret}`,
      `  webhook URL       ${config.webhookUrl ?? '(none: webhooks wait until one is set)'}`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
