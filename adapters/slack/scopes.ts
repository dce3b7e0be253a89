/**
 * Slack's Web API budgets as the core's rate scopes (platform-limits.md §2a).
 * Limits are per method, per app, per workspace: every answer streaming in one
 * workspace shares them. Slack documents each tier as "N+ per minute" with "short
 * bursts" tolerated, and not how it counts, so each workspace budget is paced: a
 * small burst, and the rest of the minute's calls spread evenly over it
 * (`RateScope.burst`). That stays within the limit whether Slack counts a sliding
 * window or a token bucket, and no burst can spend a minute's budget in seconds.
 */
import type { SurfaceScopes } from '../../src/surface.ts';

const MINUTE = 60_000;

/** Answers streamed by chat.postMessage and chat.update (SLACK_STREAMING=update, and the fall-back). */
export function updateScopes(teamId: string, channel: string): SurfaceScopes {
  return {
    // chat.postMessage: about one message per second per channel, "short bursts" tolerated.
    post: { key: `slack:post:${channel}`, limit: 1, windowMs: 1000 },
    // chat.update, Tier 3: 50 per minute per workspace; 20 at once, then one every 2 s. A crowd's
    // finals come together, so the burst is worth more than the pace; 20 + 30 a minute stays
    // within 50 in any minute, and within a bucket of 20 refilled at 50 a minute.
    edit: { key: `slack:update:${teamId}`, limit: 50, windowMs: MINUTE, burst: 20 },
  };
}

/** Answers streamed natively: chat.startStream, chat.appendStream, chat.stopStream. */
export function streamScopes(teamId: string): SurfaceScopes {
  return {
    // chat.startStream, Tier 2: 20 per minute per workspace; 10 at once, then one every 6 s.
    post: { key: `slack:startStream:${teamId}`, limit: 20, windowMs: MINUTE, burst: 10 },
    // chat.appendStream, Tier 4: 100 per minute per workspace; 20 at once, then one every 0.75 s.
    edit: { key: `slack:appendStream:${teamId}`, limit: 100, windowMs: MINUTE, burst: 20 },
    // chat.stopStream, Tier 2 as well, a budget of its own: every stream started must be stopped.
    final: { key: `slack:stopStream:${teamId}`, limit: 20, windowMs: MINUTE, burst: 10 },
  };
}
