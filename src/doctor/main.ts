/**
 * `npm run doctor`: why is the bot silent? Reads the same settings as
 * `npm start` (`.env`, then the environment), checks every configured part
 * with real calls, prints one line per check with a fix under each ✗, and
 * exits 0 only when everything configured works.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../config.ts';
import { fail, pass, skip, type DoctorSection } from './check-result.ts';
import { doctorText } from './doctor-text.ts';
import { providerSection } from './provider-checks.ts';
import { runDoctor } from './run-doctor.ts';
import { storeSection } from './store-checks.ts';

/** Deadlines per call: a thinking model may take seconds even for one token; platforms and stores answer fast or not at all. */
const PROVIDER_TIMEOUT_MS = 30_000;
const PLATFORM_TIMEOUT_MS = 10_000;
const STORE_TIMEOUT_MS = 5_000;

function fixedSection(title: string, result: ReturnType<typeof pass>): DoctorSection {
  return { title, run: async () => [result] };
}

/** The sections for this configuration, in report order. Platforms load their checks only when configured, as `npm start` loads adapters. */
export async function doctorSections(config: Config): Promise<DoctorSection[]> {
  const platforms = [config.discord ? 'Discord' : undefined, config.slack ? 'Slack' : undefined].filter((p) => p !== undefined);
  const settings =
    platforms.length > 0 ? pass(doctorText.settings.valid(platforms)) : fail(doctorText.settings.noPlatform, doctorText.settings.noPlatformFix);
  const sections: DoctorSection[] = [
    fixedSection(doctorText.settings.title, settings),
    providerSection(config.llm, { timeoutMs: PROVIDER_TIMEOUT_MS }),
  ];
  if (config.discord) {
    const { discordSection } = await import('../../adapters/discord/doctor-checks.ts');
    sections.push(discordSection(config.discord, { timeoutMs: PLATFORM_TIMEOUT_MS }));
  } else {
    sections.push(fixedSection(doctorText.discord.title, skip(doctorText.notConfigured(config.missing.discord))));
  }
  if (config.slack) {
    const { slackSection } = await import('../../adapters/slack/doctor-checks.ts');
    sections.push(slackSection(config.slack, { timeoutMs: PLATFORM_TIMEOUT_MS }));
  } else {
    sections.push(fixedSection(doctorText.slack.title, skip(doctorText.notConfigured(config.missing.slack))));
  }
  sections.push(storeSection(config.storeUrl, { timeoutMs: STORE_TIMEOUT_MS }));
  return sections;
}

/** Runs the doctor on `env`; resolves with the exit code. */
export async function doctor(env: Record<string, string | undefined>, write: (text: string) => void): Promise<number> {
  write(`${doctorText.heading}\n\n`);
  const result = loadConfig(env);
  if (!result.ok) {
    write(`${doctorText.configProblems(result.problems)}\n`);
    return 1;
  }
  const outcome = await runDoctor(await doctorSections(result.config), write);
  return outcome.failed > 0 ? 1 : 0;
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const code = await doctor(process.env, (text) => process.stdout.write(text));
  // Exit now: a client that keeps a socket or timer alive must not turn a finished report into a hang.
  process.exit(code);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`npm run doctor failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
