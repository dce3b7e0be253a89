/**
 * The quota decision and accounting, on a real SQLite store with the clock in
 * the test's hands: which limit a question meets, what the person is told, the
 * day rolling over at midnight in TZ, estimates when the provider sends no usage.
 */
import { afterEach, expect, test } from 'vitest';
import type { QuotaConfig } from '../../src/config.ts';
import type { TurnRequest } from '../../src/conversation/types.ts';
import { TokenQuotas } from '../../src/quota/token-quotas.ts';
import type { Counters } from '../../src/store/counters.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import type { Usage } from '../../src/upstream/events.ts';
import { userTextIn } from '../../src/user-text.ts';

const userText = userTextIn('en');

const TZ = 'Europe/Berlin';
/**
 * 21:30 in Berlin on 1 May 2036 (UTC+2): midnight is two and a half hours away. In the future,
 * because the store keeps its own (real) clock for expiry, as it does in production.
 */
const EVENING = Date.parse('2036-05-01T19:30:00Z');
const MIDNIGHT = Date.parse('2036-05-01T22:00:00Z');
const NO_LIMITS: QuotaConfig = { userDailyTokens: 0, channelDailyTokens: 0, workspaceDailyTokens: 0 };

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function quotas(limits: Partial<QuotaConfig>, opts: { counters?: Counters; onEstimated?: (model: string, tokens: number) => void } = {}) {
  const clock = { now: EVENING };
  let counters = opts.counters;
  if (!counters) {
    const store = await openStore('sqlite://:memory:');
    stores.push(store);
    counters = store.counters;
  }
  const q = new TokenQuotas({ counters, limits: { ...NO_LIMITS, ...limits }, timeZone: TZ, now: () => clock.now, onEstimated: opts.onEstimated });
  return { q, clock };
}

const request = (user = 'U1', channel = 'slack:T1:C1', workspace: string | undefined = 'slack:T1'): TurnRequest => ({
  turnId: `t-${Math.random()}`,
  conversationId: `${channel}:1`,
  channelId: channel,
  author: { id: user, name: user },
  text: 'q',
  attachments: [],
  workspaceId: workspace,
});

const usage = (totalTokens: number): Usage => ({ promptTokens: 1, completionTokens: totalTokens - 1, reasoningTokens: 0, totalTokens });
const spend = (q: TokenQuotas, r: TurnRequest, tokens: number) => q.record(r, { model: 'm', usage: usage(tokens), sent: [], receivedChars: 10 });

test("the refusal is in the asker's language, with its numbers and time as that language writes them", async () => {
  const { q } = await quotas({ workspaceDailyTokens: 2000 });
  await spend(q, request('U1'), 2500);
  const zhCN = await q.check({ ...request('U2'), locale: 'zh-CN' });
  expect(zhCN?.userText).toBe(
    '本工作区今天已用掉 2,500 个 token，每日额度为 2,000 个。你的问题没有发给模型，不过我已经把它保留在对话里了。工作区额度将在 00:00（Europe/Berlin） 重置，还有 2 小时 30 分钟。',
  );
  const server = await q.check({ ...request('U2', 'discord:G1:C1', 'discord:G1'), locale: 'zh-TW' });
  expect(server).toBeUndefined();
  await spend(q, request('U1', 'discord:G1:C1', 'discord:G1'), 2000);
  const zhTW = await q.check({ ...request('U2', 'discord:G1:C1', 'discord:G1'), locale: 'zh-TW' });
  expect(zhTW?.userText).toContain('這個伺服器今天已經用了 2,000 個 token');
  expect(zhTW?.userText).toContain('也就是 2 小時 30 分鐘後。');
});

test('below every limit the question goes ahead; at the limit it is refused, saying which limit, how much and when it resets', async () => {
  const { q } = await quotas({ userDailyTokens: 1000 });
  await spend(q, request(), 999);
  expect(await q.check(request())).toBeUndefined();
  await spend(q, request(), 1);
  const refusal = await q.check(request());
  expect(refusal).toMatchObject({ scope: 'user', used: 1000, limit: 1000, resetsAt: MIDNIGHT });
  expect(refusal?.userText).toBe(userText.quotaReached('user', 'workspace', 1000, 1000, { resetsAt: MIDNIGHT, now: EVENING, timeZone: TZ }));
  expect(refusal?.userText).toContain('1,000 of your 1,000 tokens');
  expect(refusal?.userText).toContain('00:00 (Europe/Berlin), in 2 h 30 min');
  // Someone else is not held back by it.
  expect(await q.check(request('U2'))).toBeUndefined();
});

test('the channel and workspace limits count everyone there; the most personal limit reached is the one named', async () => {
  const { q } = await quotas({ userDailyTokens: 500, channelDailyTokens: 800, workspaceDailyTokens: 1000 });
  await spend(q, request('U1', 'slack:T1:C1'), 400);
  await spend(q, request('U2', 'slack:T1:C1'), 400);
  // C1 is spent for U3 too, who has used nothing.
  expect(await q.check(request('U3', 'slack:T1:C1'))).toMatchObject({ scope: 'channel', used: 800, limit: 800 });
  expect(await q.check(request('U3', 'slack:T1:C2'))).toBeUndefined();
  await spend(q, request('U3', 'slack:T1:C2'), 200);
  expect(await q.check(request('U4', 'slack:T1:C3'))).toMatchObject({ scope: 'workspace', used: 1000, limit: 1000 });
  expect((await q.check(request('U4', 'slack:T1:C3')))?.userText).toContain('This workspace has used 1,000 of its 1,000 tokens');
  // Another workspace has its own count.
  expect(await q.check(request('U4', 'slack:T2:C1', 'slack:T2'))).toBeUndefined();
  await spend(q, request('U1', 'slack:T2:C9', 'slack:T2'), 100);
  expect(await q.check(request('U1', 'slack:T2:C9', 'slack:T2'))).toMatchObject({ scope: 'user', used: 500 });
});

test('a Discord server is called a server', async () => {
  const { q } = await quotas({ workspaceDailyTokens: 10 });
  await spend(q, request('1', 'discord:G1:C1', 'discord:G1'), 10);
  expect((await q.check(request('2', 'discord:G1:C2', 'discord:G1')))?.userText).toContain('This server has used 10 of its 10 tokens');
});

test('with no limits set nothing is refused and the store is not asked', async () => {
  const reads: string[][] = [];
  const counters: Counters = {
    read: async (keys) => {
      reads.push([...keys]);
      return keys.map(() => 1e9);
    },
    add: async () => undefined,
    top: async () => [],
  };
  const { q } = await quotas({}, { counters });
  expect(await q.check(request())).toBeUndefined();
  expect(reads).toEqual([]);
});

test('the day rolls over at midnight in TZ: a person refused at 23:59 may ask again at 00:00', async () => {
  const { q, clock } = await quotas({ userDailyTokens: 100 });
  await spend(q, request(), 150);
  clock.now = MIDNIGHT - 1;
  expect(await q.check(request())).toMatchObject({ scope: 'user', used: 150 });
  clock.now = MIDNIGHT;
  expect(await q.check(request())).toBeUndefined();
  const today = await q.today({ userId: 'U1', channelId: 'slack:T1:C1', workspaceId: 'slack:T1' }, { withTop: false });
  expect(today.user).toEqual({ used: 0, limit: 100 });
  expect(today.resetsAt).toBe(Date.parse('2036-05-02T22:00:00Z'));
});

test('a clock set back across midnight counts in the day it now reads again', async () => {
  const { q, clock } = await quotas({ userDailyTokens: 100 });
  clock.now = MIDNIGHT;
  await spend(q, request(), 150);
  clock.now = MIDNIGHT - 1;
  expect(await q.check(request())).toBeUndefined();
  clock.now = MIDNIGHT + 1;
  expect(await q.check(request())).toMatchObject({ scope: 'user', used: 150 });
});

test('without usage from the provider the tokens are estimated from the characters sent and received, and said to be', async () => {
  const estimates: [string, number][] = [];
  const { q } = await quotas({ userDailyTokens: 1000 }, { onEstimated: (model, tokens) => estimates.push([model, tokens]) });
  const sent = [
    { role: 'system' as const, content: 'x'.repeat(40) },
    { role: 'user' as const, content: [{ type: 'text' as const, text: 'y'.repeat(20) }, { type: 'image_url' as const, image_url: { url: 'https://i' } }] },
  ];
  const spent = await q.record(request(), { model: 'gemini-2.5-pro', usage: undefined, sent, receivedChars: 41 });
  // (40 + 20 + 41) / 4 = 25.25, rounded up.
  expect(spent).toEqual({ tokens: 26, estimated: true });
  expect(estimates).toEqual([['gemini-2.5-pro', 26]]);
  expect((await q.today({ userId: 'U1', channelId: 'slack:T1:C1' }, { withTop: false })).user.used).toBe(26);
});

test('an answer that brought nothing back (refused upstream) costs nothing', async () => {
  const { q } = await quotas({ userDailyTokens: 1000 });
  expect(await q.record(request(), { model: 'm', usage: undefined, sent: [{ role: 'user', content: 'long question' }], receivedChars: 0 })).toEqual({ tokens: 0, estimated: false });
  expect((await q.today({ userId: 'U1', channelId: 'slack:T1:C1' }, { withTop: false })).user.used).toBe(0);
});

test('the usage report names the top users only when asked, by the names given', async () => {
  const { q } = await quotas({ userDailyTokens: 5000, channelDailyTokens: 20_000 });
  for (const [user, tokens] of [['U1', 1200], ['U2', 3400], ['U3', 10], ['U4', 50], ['U5', 70], ['U6', 900], ['U1', 100]] as const) {
    await spend(q, request(user), tokens);
  }
  const names: Record<string, string> = { U1: 'Ada', U2: 'Grace', U3: 'Linus', U4: 'Ken', U5: 'Barbara', U6: 'Edsger' };
  const nameOf = async (id: string) => names[id] ?? id;
  const who = { userId: 'U1', channelId: 'slack:T1:C1', workspaceId: 'slack:T1' };

  const member = await q.report(who, { withTop: false, locale: 'en', nameOf });
  expect(member.split('\n')).toEqual([
    '**You** have used 1,300 of your 5,000 tokens today.',
    '**This channel** has used 5,730 of its 20,000 tokens today.',
    'The counts start again at 00:00 (Europe/Berlin), in 2 h 30 min.',
  ]);

  const admin = await q.report(who, { withTop: true, locale: 'en', nameOf });
  expect(admin.split('\n')).toEqual([
    '**You** have used 1,300 of your 5,000 tokens today.',
    '**This channel** has used 5,730 of its 20,000 tokens today.',
    '**This workspace** has used 5,730 tokens today. There is no daily limit for the workspace.',
    'The counts start again at 00:00 (Europe/Berlin), in 2 h 30 min.',
    '',
    'Most tokens in this workspace today:',
    '1. Grace: 3,400 tokens',
    '2. Ada: 1,300 tokens',
    '3. Edsger: 900 tokens',
    '4. Barbara: 70 tokens',
    '5. Ken: 50 tokens',
  ]);
});
