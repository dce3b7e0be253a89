/**
 * Runs the doctor's sections concurrently (they are independent: a slow
 * provider must not delay the Redis line) and prints each one, in the order
 * given, as soon as it and every section before it are done: the output is
 * the same from run to run.
 */
import { fail, type CheckResult, type DoctorSection } from './check-result.ts';
import { doctorText, statusSymbol } from './doctor-text.ts';

export interface DoctorOutcome {
  /** Lines that passed, failed or warned (info and skipped lines are not checks). */
  readonly checks: number;
  readonly failed: number;
  readonly warnings: number;
}

/** One section as printed: its title, then one indented line per result, and the fix under each ✗ and !. */
export function formatSection(title: string, results: readonly CheckResult[]): string {
  const lines = [title];
  for (const result of results) {
    lines.push(`  ${statusSymbol[result.status]} ${result.text}`);
    if (result.fix !== undefined && (result.status === 'fail' || result.status === 'warn')) {
      lines.push(`      ${doctorText.fixLabel} ${result.fix}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function runGuarded(section: DoctorSection): Promise<readonly CheckResult[]> {
  try {
    return await section.run();
  } catch (error) {
    // A bug in a check must not hide the other sections' answers.
    return [fail(doctorText.crashed(error instanceof Error ? error.message : String(error)), doctorText.crashedFix)];
  }
}

export async function runDoctor(sections: readonly DoctorSection[], write: (text: string) => void): Promise<DoctorOutcome> {
  const running = sections.map((section) => runGuarded(section));
  let checks = 0;
  let failed = 0;
  let warnings = 0;
  for (const [index, section] of sections.entries()) {
    const results = await running[index]!;
    write(formatSection(section.title, results));
    for (const result of results) {
      if (result.status === 'pass' || result.status === 'fail' || result.status === 'warn') checks += 1;
      if (result.status === 'fail') failed += 1;
      if (result.status === 'warn') warnings += 1;
    }
  }
  write(`\n${failed > 0 ? doctorText.summaryFailed(failed) : doctorText.summaryPassed(checks, warnings)}\n`);
  return { checks, failed, warnings };
}
