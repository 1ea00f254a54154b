import * as v8 from 'node:v8'
import * as vm from 'node:vm'

/**
 * Each answer reads this much freely: an answer of the API is a few hundred bytes, so 64 of them
 * read at once hold little.
 */
export const FREE_ANSWER_BYTES = 64 * 1024

/** An answer being read, as the lane sees it: it can be paused and resumed. */
export interface LaneReader {
  pause(): void
  resume(): void
}

/**
 * A holder that reads nothing for this long while others wait gives up its turn and waits at the
 * back: a server that stalls one answer must not hold up the answers behind it (their waiting
 * counts against their request timeout).
 */
export const STALL_MS = 1000

/**
 * The one lane that answers larger than FREE_ANSWER_BYTES read through, one at a time, so that what
 * the process holds is bounded by one large answer being read, not by how many are in flight: 64
 * jobs whose messages are 8 MiB otherwise hold 64 answers of 8 MiB at once, each also decoded and
 * parsed. Process-wide, because memory is. Whoever waits is paused (TCP holds the rest at the
 * server); a holder that stalls keeps what it read while it waits at the back.
 *
 * The lane hands over on the next turn of the event loop, after a full collection: by then the
 * answer that left has been parsed and let go, and what it cost (its bytes, its text, its parsed
 * message, each megabytes) is freed before the next one is read. Without it, V8 lets several large
 * answers' garbage pile up between its own collections: 1,000 jobs with 8 MiB messages peaked at
 * 258 MiB with the lane alone, 155 MiB with the collection (Node 20, bench/results.md).
 */
export class AnswerLane {
  constructor(
    private readonly collect: () => void = fullCollection(),
    private readonly after: (ms: number, run: () => void) => void = (ms, run) => {
      setTimeout(run, ms).unref()
    },
  ) {}

  private holder: LaneReader | undefined
  private readonly waiting: LaneReader[] = []
  /** Whether the holder has read anything since the watch last looked. */
  private moved = false
  private watching = false
  /** Counts hand-overs: a watch started for an earlier holder does not judge the next one. */
  private round = 0
  private bytes = 0
  private most = 0

  /** True if `reader` holds the lane now; if not, it is resumed once it does. */
  take(reader: LaneReader): boolean {
    if (this.holder === undefined) this.holder = reader
    if (this.holder === reader) {
      this.moved = true
      return true
    }
    if (!this.waiting.includes(reader)) this.waiting.push(reader)
    this.watch()
    return false
  }

  holds(reader: LaneReader): boolean {
    return this.holder === reader
  }

  /** `reader` is done, read or failed: lets the next one in, or leaves the queue. */
  leave(reader: LaneReader): void {
    const queued = this.waiting.indexOf(reader)
    if (queued >= 0) this.waiting.splice(queued, 1)
    if (this.holder === reader) this.handOver()
  }

  private handOver(): void {
    const next = this.waiting.shift()
    this.holder = next
    this.round++
    this.watching = false
    if (next === undefined) return
    setImmediate(() => {
      this.collect()
      next.resume()
    })
    this.watch()
  }

  /** While others wait, a holder that read nothing for STALL_MS goes to the back of the queue. */
  private watch(): void {
    if (this.watching || this.waiting.length === 0) return
    this.watching = true
    this.moved = false
    const round = this.round
    this.after(STALL_MS, () => {
      if (round !== this.round) return
      this.watching = false
      const stalled = this.holder
      if (stalled !== undefined && !this.moved && this.waiting.length > 0) {
        stalled.pause()
        this.waiting.push(stalled)
        this.handOver()
      }
      this.watch()
    })
  }

  /** Counts bytes held by answers being read (negative when they are let go). */
  hold(bytes: number): void {
    this.bytes += bytes
    this.most = Math.max(this.most, this.bytes)
  }

  /** Bytes held now by answers being read. */
  held(): number {
    return this.bytes
  }

  /** The most bytes held at once since the last call; what the bound is checked against. */
  peak(): number {
    const most = this.most
    this.most = this.bytes
    return most
  }
}

/**
 * V8's full collection, obtained as jest does for --logHeapUsage; nothing where the process does
 * not allow it (the lane alone still bounds what is read at once). Asked for only when a large
 * answer has to wait, so a step without one never changes a V8 flag.
 */
function fullCollection(): () => void {
  let gc: (() => void) | undefined
  return () => {
    gc ??= exposedGc()
    gc()
  }
}

export function exposedGc(): () => void {
  try {
    v8.setFlagsFromString('--expose-gc')
    const gc: unknown = vm.runInNewContext('gc')
    if (typeof gc === 'function') return gc as () => void
  } catch {
    // No collection to ask for: fall through.
  }
  return () => undefined
}

export const answerLane = new AnswerLane()
