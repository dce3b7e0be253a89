/**
 * The renderer's own CPU cost, apart from any I/O: microseconds per upstream
 * delta taken (`LiveMessage.push`) and per frame derived (`frames()`, what a
 * write would show), for answers of several lengths. A surface that answers at
 * once and a budget nobody reaches keep the platform out of the figure.
 */
import { userTextIn } from '../src/user-text.ts';
import { setImmediate as tick } from 'node:timers/promises';
import { frames, sealOverflow, type RenderState } from '../src/render/frame.ts';
import { LiveMessage } from '../src/render/live-message.ts';
import { WriteScheduler } from '../src/render/scheduler.ts';
import { startCursor } from '../src/render/split.ts';
import type { MessageRef, Surface } from '../src/surface.ts';

export interface RendererSummary {
  readonly deltas: number;
  readonly usPerDelta: number;
  readonly writes: number;
  readonly framesByLength: readonly { readonly chars: number; readonly usPerFrame: number }[];
}

const UNLIMITED = { limit: 1_000_000, windowMs: 1000 };

class NullSurface implements Surface {
  readonly maxMessageLength = 2000;
  readonly scopes = { post: { key: 'bench:post', ...UNLIMITED }, edit: { key: 'bench:edit', ...UNLIMITED } };
  writes = 0;
  format(markdown: string): string {
    return markdown;
  }
  async post(): Promise<MessageRef> {
    this.writes++;
    return { id: String(this.writes) };
  }
  async edit(): Promise<void> {
    this.writes++;
  }
}

/** Markdown-ish prose with paragraphs, a list and a code block, as answers have. */
function answerText(chars: number): string {
  const blocks = [
    'Rate limits shape a streamed answer: each edit spends budget, so edits carry the latest text. ',
    '\n\n- one edit per second per channel\n- the final edit always lands\n\n',
    '```ts\nconst frame = render(state);\nawait surface.edit(ref, frame);\n```\n\n',
    'CJK 文字也要正確切分。表情符號 👩‍💻 和旗幟 🇯🇵 不可拆開。 ',
  ];
  let text = '';
  for (let i = 0; text.length < chars; i++) text += blocks[i % blocks.length];
  return text.slice(0, chars);
}

async function pushCost(deltas: number): Promise<{ usPerDelta: number; writes: number }> {
  const surface = new NullSurface();
  const live = new LiveMessage({ surface, scheduler: new WriteScheduler(), reasoningDisplay: 'status', signal: new AbortController().signal });
  const text = answerText(deltas * 16);
  let spent = 0;
  for (let i = 0; i < deltas; i++) {
    const started = performance.now();
    live.push({ type: 'text', text: text.slice(i * 16, (i + 1) * 16) });
    spent += performance.now() - started;
    if (i % 10 === 9) await tick(); // let writes run, as the network would between chunks
  }
  await live.finish({});
  return { usPerDelta: (spent * 1000) / deltas, writes: surface.writes };
}

function frameCost(chars: number, rounds: number): number {
  const answer = answerText(chars);
  const base: RenderState = {
    maxLength: 2000,
    reasoningDisplay: 'status',
    texts: userTextIn('en'),
    reasoning: '',
    answer,
    started: true,
    notices: [],
    sealed: [],
    cursor: startCursor,
    end: undefined,
  };
  const { sealed, cursor } = sealOverflow(base);
  const state: RenderState = { ...base, sealed, cursor };
  const started = performance.now();
  for (let i = 0; i < rounds; i++) frames(state);
  return ((performance.now() - started) * 1000) / rounds;
}

export async function runRenderer(): Promise<RendererSummary> {
  // Warm up the JIT so the figures are a running process's, not a cold start's.
  await pushCost(2000);
  frameCost(2000, 2000);
  const { usPerDelta, writes } = await pushCost(20_000);
  const framesByLength = [500, 1900, 10_000].map((chars) => ({ chars, usPerFrame: round(frameCost(chars, 5000)) }));
  return { deltas: 20_000, usPerDelta: round(usPerDelta), writes, framesByLength };
}

const round = (n: number) => Math.round(n * 100) / 100;
