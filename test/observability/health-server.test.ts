import { afterEach, describe, expect, test } from 'vitest';
import { startHealthServer, type HealthServer, type Readiness } from '../../src/observability/health-server.ts';
import { BotMetrics } from '../../src/observability/metrics.ts';

const servers: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(readiness: () => Promise<Readiness>, metrics = new BotMetrics({ processMetrics: false })) {
  const server = await startHealthServer({ port: 0, host: '127.0.0.1', metrics, readiness });
  servers.push(server);
  return { server, metrics };
}

describe('health server', () => {
  test('/healthz answers 200 with each check while the bot is ready', async () => {
    const { server } = await start(async () => ({ ready: true, checks: { store: true, discord: true } }));
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { store: true, discord: true } });
  });

  test('/healthz answers 503 and names the failing check when the bot is not ready', async () => {
    const { server } = await start(async () => ({ ready: false, checks: { store: false, discord: true } }));
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ checks: { store: false, discord: true } });
  });

  test('a readiness check that throws counts as not ready', async () => {
    const { server } = await start(async () => {
      throw new Error('redis down');
    });
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(503);
  });

  test('/metrics serves the bot registry in the Prometheus text format', async () => {
    const { server, metrics } = await start(async () => ({ ready: true, checks: {} }));
    metrics.rateLimited('discord:edit:42');
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(metrics.registry.contentType);
    expect(await res.text()).toContain('bot_platform_rate_limited_total{scope="discord:edit"} 1');
  });

  test('any other path or method answers 404', async () => {
    const { server } = await start(async () => ({ ready: true, checks: {} }));
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await fetch(`${server.url}/metricsx`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`, { method: 'POST' })).status).toBe(404);
  });

  test('close frees the port even with a kept-alive connection', async () => {
    const { server } = await start(async () => ({ ready: true, checks: {} }));
    await fetch(`${server.url}/healthz`);
    await servers.pop()?.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
