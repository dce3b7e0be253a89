/** The paced provider (test/fakes/paced-upstream.ts) served for one test file: up before its tests, closed after. */
import { afterAll, beforeAll } from 'vitest';
import { servePacedUpstream } from '../fakes/paced-upstream.ts';

export function usePacedUpstream(): { readonly url: string } {
  let server: Awaited<ReturnType<typeof servePacedUpstream>> | undefined;
  beforeAll(async () => {
    server = await servePacedUpstream();
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    get url(): string {
      if (!server) throw new Error('the paced upstream is not running');
      return server.url;
    },
  };
}
