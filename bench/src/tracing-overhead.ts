import { OtlpReceiver } from '@service-replicator/control-plane-harness';
import type { BenchEnvironment } from './bench-environment';
import { log } from './bench-log';
import { BURST_ROUNDS, BenchSession, type DirectionMeasurement } from './bench-session';
import { waitForQuietQueue } from './latency-phases';
import { percentile, roundMs, summarise, type LatencySummary } from './latency-stats';

/**
 * Off, on, off, in one run against the same servers and Redis: the off figure is taken on both
 * sides of the on one, so a drift over the run (etcd growing, the machine's load) shows up in the
 * two off phases instead of passing for tracing's cost.
 */
const PHASES = [false, true, false] as const;

type Direction = 'fromHost' | 'toHost';

interface PhaseMeasurement {
  readonly tracing: boolean;
  readonly fromHost: DirectionMeasurement;
  readonly toHost: DirectionMeasurement;
}

export interface PhaseFigures {
  readonly tracing: boolean;
  readonly sequential: Readonly<Record<Direction, LatencySummary>>;
  readonly burstRoundsMs: Readonly<Record<Direction, readonly number[]>>;
}

/** Median with tracing off (both off phases pooled), with it on, and on / off. */
export interface OverheadRatio {
  readonly offMedianMs: number;
  readonly onMedianMs: number;
  readonly ratio: number;
}

export interface TracingOverhead {
  readonly changesPerPhase: number;
  readonly phases: readonly PhaseFigures[];
  readonly sequential: Readonly<Record<Direction, OverheadRatio>>;
  readonly burst: Readonly<Record<Direction, OverheadRatio>>;
  /** What the in-process OTLP receiver got while tracing was on: proof the traced phase exported. */
  readonly exported: { readonly spans: number; readonly traces: number; readonly writerHttpClientSpans: number };
}

/** Restarts the apps for each phase (tracing on: OTLP/HTTP JSON to a receiver in this process). */
export async function measureTracingOverhead(env: BenchEnvironment, changes: number): Promise<TracingOverhead> {
  const receiver = await OtlpReceiver.start();
  const session = await BenchSession.open(env);
  try {
    const measured: PhaseMeasurement[] = [];
    for (const [index, tracing] of PHASES.entries()) {
      log(`phase ${index + 1}/${PHASES.length}: tracing ${tracing ? 'on' : 'off'}; restarting the apps`);
      await env.restartApps(tracing ? receiver.env : {});
      await waitForQuietQueue(session.queue, 60_000);
      const ports = { changes, firstPort: 10_000 + index * changes, firstBurstPort: 20_000 + index * BURST_ROUNDS };
      const fromHost = await session.measure(session.fromHost, 'fh', ports);
      const toHost = await session.measure(session.toHost, 'th', ports);
      measured.push({ tracing, fromHost, toHost });
    }
    return { changesPerPhase: changes, ...compare(measured), exported: exportedBy(receiver) };
  } finally {
    await session.close();
    await receiver.stop();
  }
}

function compare(measured: readonly PhaseMeasurement[]): Pick<TracingOverhead, 'phases' | 'sequential' | 'burst'> {
  const latencies = (phase: PhaseMeasurement, direction: Direction) => phase[direction].samples.map((sample) => sample.seenAt - sample.sentAt);
  const bursts = (phase: PhaseMeasurement, direction: Direction) => phase[direction].rounds.map((round) => round.totalMs);
  const ratio = (pick: (phase: PhaseMeasurement, direction: Direction) => number[], direction: Direction): OverheadRatio => {
    const median = (tracing: boolean) => percentile(measured.filter((p) => p.tracing === tracing).flatMap((p) => pick(p, direction)).sort((a, b) => a - b), 50);
    const [off, on] = [median(false), median(true)];
    return { offMedianMs: roundMs(off), onMedianMs: roundMs(on), ratio: Math.round((on / off) * 100) / 100 };
  };
  return {
    phases: measured.map((phase) => ({
      tracing: phase.tracing,
      sequential: { fromHost: summarise(latencies(phase, 'fromHost')), toHost: summarise(latencies(phase, 'toHost')) },
      burstRoundsMs: { fromHost: bursts(phase, 'fromHost'), toHost: bursts(phase, 'toHost') },
    })),
    sequential: { fromHost: ratio(latencies, 'fromHost'), toHost: ratio(latencies, 'toHost') },
    burst: { fromHost: ratio(bursts, 'fromHost'), toHost: ratio(bursts, 'toHost') },
  };
}

function exportedBy(receiver: OtlpReceiver): TracingOverhead['exported'] {
  const spans = receiver.spans();
  return {
    spans: spans.length,
    traces: new Set(spans.map((span) => span.traceId)).size,
    writerHttpClientSpans: spans.filter((span) => span.service === 'writer' && span.kind === 3).length,
  };
}
