import { Configuration, FrontendApi } from '@ory/kratos-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { issueSession, statusOfFailure } from '../support/http.js';

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ replicas: 2 });
});

afterAll(async () => {
  await cluster.stop();
});

describe("Ory's own SDK, @ory/kratos-client, unchanged", () => {
  it('toSession 200, performNativeLogout, toSession 401, performNativeLogout again', async () => {
    const [a, b] = cluster.apis;
    if (a === undefined || b === undefined) throw new Error('two replicas expected');
    const sdk = (port: number) =>
      new FrontendApi(new Configuration({ basePath: `http://127.0.0.1:${port}/auth` }));
    const session = await issueSession(a);

    const current = await sdk(a.port).toSession({ xSessionToken: session.token });
    expect(current.status).toBe(200);
    expect(current.data.id).toBe(session.sessionId);
    expect(current.data.active).toBe(true);
    expect(current.data.identity?.id).toBe(session.identityId);

    const loggedOut = await sdk(b.port).performNativeLogout({
      performNativeLogoutBody: { session_token: session.token },
    });
    expect(loggedOut.status).toBe(204);

    expect(await statusOfFailure(sdk(a.port).toSession({ xSessionToken: session.token }))).toBe(
      401,
    );
    const again = await sdk(a.port).performNativeLogout({
      performNativeLogoutBody: { session_token: session.token },
    });
    expect(again.status).toBe(204);
  });

  it('performNativeLogout with an unknown token fails with 403', async () => {
    const [a] = cluster.apis;
    if (a === undefined) throw new Error('a replica expected');
    const sdk = new FrontendApi(new Configuration({ basePath: `http://127.0.0.1:${a.port}/auth` }));
    expect(
      await statusOfFailure(
        sdk.performNativeLogout({ performNativeLogoutBody: { session_token: 'ory_st_unknown' } }),
      ),
    ).toBe(403);
  });
});
