import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, parseConfig } from '../config/config.schema.js';

/**
 * The deployment files (apps/server/deploy) against the code they start: settings the config
 * schema knows, commands the CLI has, and an image that runs the built CLI as a non-root user.
 */

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const deployDir = path.join(serverDir, 'deploy');
const composePath = path.join(deployDir, 'docker-compose.yml');
const dockerfilePath = path.join(deployDir, 'Dockerfile');
const DOCKERFILE_IN_CONTEXT = 'apps/server/deploy/Dockerfile';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number)[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
}

const composeText = readFileSync(composePath, 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const schemaKeys = Object.keys(configSchema.shape);

/** The service's environment as a map, whichever of compose's two forms it uses. */
function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Resolves compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}` the way compose does. */
function interpolate(value: string, shell: Record<string, string>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (_match, name: string, op: string | undefined, arg: string | undefined) => {
    const set = shell[name];
    const present = op?.startsWith(':') ? set !== undefined && set !== '' : set !== undefined;
    if (op?.endsWith('-')) return present ? set! : (arg ?? '');
    if (op?.endsWith('?')) {
      if (!present) throw new Error(`${name} is required: ${arg}`);
      return set!;
    }
    return set ?? '';
  });
}

function commandOf(service: ComposeService): string[] {
  const command = service.command ?? [];
  return Array.isArray(command) ? command : command.split(/\s+/).filter(Boolean);
}

/** The CLI's subcommands, read from `program.command('…')` in cli.ts. */
function cliCommands(): string[] {
  const source = readFileSync(path.join(serverDir, 'src/cli.ts'), 'utf8');
  return [...source.matchAll(/\.command\(\s*['"`]([a-z][a-z0-9-]*)['"`]/g)].map((m) => m[1]!);
}

const obrolServices = Object.entries(services).filter(([, s]) => s.build?.dockerfile === DOCKERFILE_IN_CONTEXT);
const shell = { OBROL_SECRET_KEY: 'k'.repeat(48) };

describe('docker-compose.yml', () => {
  it('runs migrate, api and worker from the Obrol image, built from the repository root', () => {
    expect(obrolServices.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'worker']);
    for (const [name, service] of obrolServices) {
      const context = path.resolve(deployDir, service.build!.context);
      expect(existsSync(path.join(context, 'pnpm-workspace.yaml')), `${name}: build context is the repo root`).toBe(true);
      expect(path.join(context, service.build!.dockerfile), name).toBe(dockerfilePath);
    }
  });

  it('sets only OBROL_* variables the config schema knows', () => {
    const unknown: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const key of Object.keys(environmentOf(service))) {
        if (key.startsWith('OBROL_') && !schemaKeys.includes(key)) unknown.push(`${name}: ${key}`);
      }
    }
    expect(unknown, `known settings: ${schemaKeys.join(', ')}`).toEqual([]);
  });

  it('passes each OBROL_* setting through from the variable of the same name, or none', () => {
    const crossed: string[] = [];
    for (const match of composeText.matchAll(/\$\{(OBROL_[A-Z0-9_]+)/g)) {
      if (!schemaKeys.includes(match[1]!)) crossed.push(`\${${match[1]}} is not a setting`);
    }
    for (const [name, service] of obrolServices) {
      for (const [key, value] of Object.entries(environmentOf(service))) {
        for (const used of value.matchAll(/\$\{(OBROL_[A-Z0-9_]+)/g)) {
          if (used[1] !== key) crossed.push(`${name}: ${key} takes \${${used[1]}}`);
        }
      }
    }
    expect(crossed).toEqual([]);
  });

  it("gives every Obrol service an environment the server's config parser accepts", () => {
    for (const [name, service] of obrolServices) {
      const env = Object.fromEntries(Object.entries(environmentOf(service)).map(([k, v]) => [k, interpolate(v, shell)]));
      expect(() => parseConfig(env), name).not.toThrow();
    }
  });

  it('starts each Obrol service with one of the CLI commands', () => {
    const commands = cliCommands();
    expect(commands).toEqual(expect.arrayContaining(['start', 'api', 'worker', 'migrate']));
    for (const [name, service] of obrolServices) {
      const [command, ...rest] = commandOf(service);
      expect(commands, `${name} runs "${command}"`).toContain(command);
      expect(rest, `${name} passes no extra arguments`).toEqual([]);
    }
    expect(commandOf(services.migrate!)).toEqual(['migrate']);
    expect(commandOf(services.api!)).toEqual(['api']);
    expect(commandOf(services.worker!)).toEqual(['worker']);
  });

  it('connects api and worker to PostgreSQL and NATS', () => {
    for (const name of ['api', 'worker']) {
      const config = parseConfig(Object.fromEntries(Object.entries(environmentOf(services[name]!)).map(([k, v]) => [k, interpolate(v, shell)])));
      expect(config.databaseUrl, `${name}: OBROL_DATABASE_URL`).toMatch(/^postgres(ql)?:\/\/.+@postgres:5432\//);
      expect(config.natsUrl, `${name}: OBROL_NATS_URL`).toMatch(/^nats:\/\/nats:4222$/);
      expect(config.demo, `${name}: OBROL_DEMO`).toBe(false);
    }
  });

  it('shares one required secret key across every Obrol service', () => {
    const keys = obrolServices.map(([name, service]) => [name, environmentOf(service).OBROL_SECRET_KEY] as const);
    for (const [name, key] of keys) {
      expect(key, `${name}: OBROL_SECRET_KEY must come from the required variable, with no default`).toMatch(/^\$\{OBROL_SECRET_KEY:\?[^}]*\}$/);
    }
    expect(new Set(keys.map(([, key]) => key)).size).toBe(1);
    expect(() => interpolate(keys[0]![1]!, {})).toThrow(/OBROL_SECRET_KEY is required/);
  });

  it('publishes the port the api listens on and checks its readiness', () => {
    const api = services.api!;
    const listens = parseConfig(Object.fromEntries(Object.entries(environmentOf(api)).map(([k, v]) => [k, interpolate(v, shell)]))).port;
    const targets = (api.ports ?? []).map((p) => Number(String(p).split(':').at(-1)));
    expect(targets).toEqual([listens]);
    expect(JSON.stringify(api.healthcheck?.test)).toContain(`127.0.0.1:${listens}/readyz`);
  });
});

/** Dockerfile instructions of the last stage, continuation lines joined. */
function runtimeStage(): Array<{ keyword: string; args: string }> {
  const joined = readFileSync(dockerfilePath, 'utf8').replace(/\\\r?\n/g, ' ');
  const instructions = joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}

function last(stage: ReturnType<typeof runtimeStage>, keyword: string): string | undefined {
  return stage.filter((i) => i.keyword === keyword).at(-1)?.args;
}

describe('Dockerfile (runtime stage)', () => {
  const stage = runtimeStage();
  const pkg = JSON.parse(readFileSync(path.join(serverDir, 'package.json'), 'utf8')) as { bin: Record<string, string> };

  it("runs the server's built CLI, the `start` command by default", () => {
    const entrypoint = JSON.parse(last(stage, 'ENTRYPOINT') ?? 'null') as string[] | null;
    expect(entrypoint?.[0]).toBe('node');
    expect(path.posix.normalize(entrypoint?.[1] ?? '')).toBe(path.posix.normalize(pkg.bin.obrol!));
    expect(entrypoint?.[1]).toBe('dist/cli.js');
    const cmd = JSON.parse(last(stage, 'CMD') ?? 'null') as string[] | null;
    expect(cmd).toEqual(['start']);
    expect(cliCommands()).toContain(cmd![0]);
  });

  it('runs as a non-root user', () => {
    const user = last(stage, 'USER');
    expect(user, 'USER in the runtime stage').toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
  });

  it('has a health check on /healthz', () => {
    const healthcheck = last(stage, 'HEALTHCHECK');
    expect(healthcheck).toBeDefined();
    expect(healthcheck).not.toMatch(/^NONE\b/i);
    expect(healthcheck).toContain('/healthz');
  });

  it('exposes the default OBROL_PORT', () => {
    const defaultPort = configSchema.shape.OBROL_PORT.parse(undefined);
    expect(last(stage, 'EXPOSE')?.split(/\s+/)).toEqual([String(defaultPort)]);
  });

  it('keeps the data dir in a volume, and sets only known OBROL_* settings', () => {
    const env = Object.fromEntries(
      stage
        .filter((i) => i.keyword === 'ENV')
        .flatMap((i) => i.args.split(/\s+/))
        .map((pair) => pair.split('=') as [string, string]),
    );
    expect(Object.keys(env).filter((k) => k.startsWith('OBROL_') && !schemaKeys.includes(k))).toEqual([]);
    expect(env.OBROL_DATA_DIR).toBeDefined();
    expect(JSON.parse(last(stage, 'VOLUME') ?? '[]')).toContain(env.OBROL_DATA_DIR);
  });
});

describe('Dockerfile (build context)', () => {
  const repoRoot = path.resolve(serverDir, '../..');

  it('copies only files that exist in the repository (the build context is its root)', () => {
    const copies = readFileSync(dockerfilePath, 'utf8')
      .split(/\r?\n/)
      .filter((line) => /^COPY\s/.test(line) && !/--from=/.test(line))
      .map((line) => line.replace(/^COPY\s+(--\S+\s+)*/, '').split(/\s+/).slice(0, -1));
    expect(copies.length).toBeGreaterThan(0);
    const missing = copies.flat().filter((source) => source !== '.' && !existsSync(path.join(repoRoot, source)));
    expect(missing).toEqual([]);
  });
});
