import { SERVICE_NAME_LABEL } from '@service-replicator/service-translation';
import { sleep, waitFor, type ChaosEnvironment } from './chaos-environment';
import { objectId } from './cluster-observer';

/**
 * Adds a fromHost mapping `rounds` times and, the moment config-watcher has published it (the
 * writer's pass starts then), creates a Service of the user's own at its target name. Whoever is
 * first wins: either the mirror is ours and in sync (the user's create got 409), or the user's
 * Service stands, untouched (watched from its creation), with the key in `conflict` and no
 * EndpointSlice of ours naming it.
 */
export async function raceUnownedCreates(env: ChaosEnvironment, rounds: number): Promise<{ endedAt: number; notes: string[] }> {
  const tenantA = env.fx.tenant('a');
  const names: string[] = [];
  const userWon: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const name = `race-${round}`;
    names.push(name);
    await env.fx.hostCore.createNamespacedService({ namespace: 'shared', body: { metadata: { name }, spec: { ports: [{ port: 80 }] } } });
    env.writes.ownWrite('services');
    const before = await env.fx.publishedVersion('a');
    await env.fx.writeRawConfig('a', env.configTextA(undefined, names));
    await publishedAfter(env, before);
    // Every other round gives the writer a head start of a few ms, so both sides win some.
    if (round % 2 === 1) await sleep(round);
    const created = await tenantA.core
      .createNamespacedService({ namespace: 'default', body: { metadata: { name, labels: { owner: 'user' } }, spec: { ports: [{ port: 7 }] } } })
      .then(() => true, (error: { code?: number }) => {
        if (error.code === 409) return false;
        throw error;
      });
    env.writes.ownWrite('services');
    if (created) {
      userWon.push(name);
      env.observers.get('a')?.track([objectId('Service', 'default', name)]);
    }
  }
  const endedAt = Date.now();
  await waitFor(async () => {
    const states = await Promise.all(names.map(async (name) => (await env.fx.status(`a/fromHost/default/${name}`))?.state));
    return states.every((state, i) => state === (userWon.includes(names[i]) ? 'conflict' : 'in-sync'));
  }, 60_000, 'every raced key in sync (ours) or in conflict (the user\'s)');
  const ourSlicesOnTheirs = await Promise.all(userWon.map(async (name) => {
    const slices = await tenantA.discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: `${SERVICE_NAME_LABEL}=${name},app.kubernetes.io/managed-by=service-replicator` });
    return slices.items.length;
  }));
  const attached = ourSlicesOnTheirs.reduce((sum, n) => sum + n, 0);
  if (attached > 0) throw new Error(`${attached} EndpointSlices of ours name a Service of the user's`);
  return { endedAt, notes: [`the writer created the mirror first ${rounds - userWon.length} times, the user ${userWon.length} times`] };
}

/** Polls tightly (2 ms): the user's create should go out as close to the writer's pass as it can. */
async function publishedAfter(env: ChaosEnvironment, before: number | undefined): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await env.fx.publishedVersion('a')) === before) {
    if (Date.now() > deadline) throw new Error('config-watcher did not publish the raced mapping within 30 s');
    await sleep(2);
  }
}
