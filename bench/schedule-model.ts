/**
 * How late a poll schedule notices a job's end, and what that costs, over job lengths spread on a
 * log scale with a random phase: the figures behind the README's claim about the schedule. A model,
 * not a timing: it walks the schedule the action runs (`adaptiveSchedule` and the loop's floor)
 * check by check, so it is exact, seeded and takes milliseconds. Network and process overheads are
 * the same for every client and are left out; so are the token and the start (two requests each).
 */
import { adaptiveSchedule, type PollSchedule } from '../src/jobs/poll-schedule.js'
import { MIN_PAUSE_MS } from '../src/spotfire/retry.js'

export interface ScheduleFigures {
  /** Mean time from the job's end to the check that sees it. */
  meanLagMs: number
  /** Mean status checks per job, the one that sees the end included. */
  meanRequests: number
}

export interface SpreadResult {
  /** The shortest and longest job of the spread. */
  fromMs: number
  toMs: number
  ours: ScheduleFigures
  /** A client that checks every second, at a random phase to the job's start. */
  poller: ScheduleFigures
  lagRatio: number
  requestRatio: number
  /** Lag ratio × request ratio: 1.0 for a poller at any fixed interval. */
  product: number
}

/** A small seeded generator (LCG): the same spread every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/** The checks the action makes for a job that ends `lengthMs` after its start answered. */
export function checksOf(
  schedule: PollSchedule,
  lengthMs: number,
): { lagMs: number; requests: number } {
  let age = 0
  for (let checks = 0; ;) {
    const pause = schedule.pauseBefore({ ageMs: age, statusCode: 'InProgress', checks })
    age += Math.max(MIN_PAUSE_MS, pause)
    checks++
    if (age >= lengthMs) return { lagMs: age - lengthMs, requests: checks }
  }
}

/** A client that checks at `phase + k × interval` after the start, for k = 0, 1, 2, ... */
function fixedInterval(
  intervalMs: number,
  phaseMs: number,
  lengthMs: number,
): { lagMs: number; requests: number } {
  const k = Math.max(0, Math.ceil((lengthMs - phaseMs) / intervalMs))
  return { lagMs: phaseMs + k * intervalMs - lengthMs, requests: k + 1 }
}

/** Job lengths log-uniform between `fromMs` and `toMs`, the same jobs for both clients. */
export function spread(
  fromMs: number,
  toMs: number,
  options: { schedule?: PollSchedule; samples?: number; seed?: number } = {},
): SpreadResult {
  const schedule = options.schedule ?? adaptiveSchedule(15_000)
  const samples = options.samples ?? 20_000
  const random = seeded(options.seed ?? 20261204)
  const sum = { ours: { lag: 0, requests: 0 }, poller: { lag: 0, requests: 0 } }
  for (let i = 0; i < samples; i++) {
    const length = fromMs * (toMs / fromMs) ** random()
    const ours = checksOf(schedule, length)
    const poller = fixedInterval(1000, random() * 1000, length)
    sum.ours.lag += ours.lagMs
    sum.ours.requests += ours.requests
    sum.poller.lag += poller.lagMs
    sum.poller.requests += poller.requests
  }
  const figures = (s: { lag: number; requests: number }): ScheduleFigures => ({
    meanLagMs: s.lag / samples,
    meanRequests: s.requests / samples,
  })
  const ours = figures(sum.ours)
  const poller = figures(sum.poller)
  const lagRatio = ours.meanLagMs / poller.meanLagMs
  const requestRatio = ours.meanRequests / poller.meanRequests
  return { fromMs, toMs, ours, poller, lagRatio, requestRatio, product: lagRatio * requestRatio }
}

/** The spreads the README quotes: jobs of 1 s to 2 min, and of 1 s to 10 min. */
export const SPREADS: readonly [number, number][] = [
  [1000, 120_000],
  [1000, 600_000],
]

/** The results as the markdown table bench/results.md shows. */
export function spreadTable(results: SpreadResult[]): string[] {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`
  const span = (r: SpreadResult): string =>
    `${r.fromMs / 1000} s – ${r.toMs >= 60_000 ? `${r.toMs / 60_000} min` : `${r.toMs / 1000} s`}`
  return [
    '| job lengths (log-uniform) | this action: mean lag, checks | 1 Hz poller: mean lag, checks | lag ratio (target ≤ 2) | checks ratio | lag × checks (target ≤ 1) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${span(r)} | ${s(r.ours.meanLagMs)}, ${r.ours.meanRequests.toFixed(1)} | ${s(r.poller.meanLagMs)}, ${r.poller.meanRequests.toFixed(1)} | ${r.lagRatio.toFixed(2)} | ${r.requestRatio.toFixed(2)} | ${r.product.toFixed(2)} |`,
    ),
  ]
}
