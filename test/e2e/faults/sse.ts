/** Pieces of the provider's stream, for scripting faults the fixtures do not show. */

/** One SSE event carrying a piece of the answer, in the provider's chunk shape. */
export function contentEvent(text: string): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-fault', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
}

/** The event that ends an answer normally. */
export const finishEvent = `data: ${JSON.stringify({ id: 'chatcmpl-fault', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`;
