/**
 * Tells a surface that keeps a status line outside the message (`Surface.showProgress`)
 * what the model is doing before its answer shows: thinking (with the latest reasoning
 * heading under REASONING_DISPLAY=status), then answering. Only changes are told.
 */
import type { ReasoningDisplay } from '../config.ts';
import type { AnswerProgress, Surface } from '../surface.ts';
import { latestHeading } from './reasoning.ts';

export class ProgressReport {
  readonly #show: (progress: AnswerProgress) => void;
  readonly #mode: ReasoningDisplay;
  /** What was told last, as a key to skip repeats; `answering` is final. */
  #told: string | undefined;

  /** Undefined when the surface has no status line of its own. */
  static for(surface: Surface, mode: ReasoningDisplay): ProgressReport | undefined {
    return surface.showProgress ? new ProgressReport((progress) => surface.showProgress?.(progress), mode) : undefined;
  }

  constructor(show: (progress: AnswerProgress) => void, mode: ReasoningDisplay) {
    this.#show = show;
    this.#mode = mode;
  }

  /** A reasoning delta arrived; `reasoning` is all of it so far. */
  reasoning(delta: string, reasoning: string): void {
    if (this.#told === 'answering') return;
    // A heading can only change when a `*` arrives: scanning the whole reasoning on every
    // delta would make a long reasoning quadratic.
    if (this.#told !== undefined && !delta.includes('*')) return;
    const heading = this.#mode === 'status' ? latestHeading(reasoning) : undefined;
    this.#tell(`thinking:${heading ?? ''}`, { type: 'thinking', heading });
  }

  /** An answer text delta arrived. */
  text(delta: string): void {
    if (this.#told === 'answering' || delta.trim() === '') return;
    this.#tell('answering', { type: 'answering' });
  }

  #tell(key: string, progress: AnswerProgress): void {
    if (key === this.#told) return;
    this.#told = key;
    this.#show(progress);
  }
}
