/**
 * zod schemas for what the provider sends: stream chunks, whole answers and
 * error bodies. Lenient where the provider is (nulls, extra fields, `choices: []`).
 */
import { z } from 'zod';
import type { Usage } from './events.ts';

const usageSchema = z.object({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
});

const errorSchema = z.object({
  code: z.union([z.string(), z.number()]).nullish(),
  message: z.string().nullish(),
  type: z.string().nullish(),
});

export const streamChunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish(), reasoning_content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: usageSchema.nullish(),
  /** Some proxies report a failure mid-stream as a data event with an `error` object. */
  error: errorSchema.nullish(),
});

export const completionSchema = z.object({
  choices: z.array(
    z.object({
      message: z.object({ content: z.string().nullish(), reasoning_content: z.string().nullish() }),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: usageSchema.nullish(),
});

/** `{ "success": false, "error": { "code", "message" }, "trace_id" }` (fixtures/error.json). */
export const errorBodySchema = z.object({
  error: z.union([errorSchema, z.string()]).nullish(),
  message: z.string().nullish(),
  trace_id: z.string().nullish(),
});

export function toUsage(u: z.infer<typeof usageSchema>): Usage {
  return {
    promptTokens: u.prompt_tokens ?? 0,
    completionTokens: u.completion_tokens ?? 0,
    reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
    // A provider that leaves the total out still bills both sides.
    totalTokens: u.total_tokens ?? (u.prompt_tokens ?? 0) + (u.completion_tokens ?? 0),
  };
}
