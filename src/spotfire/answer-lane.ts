import * as v8 from 'node:v8'
import * as vm from 'node:vm'

/**
 * Each answer reads this much freely: an answer of the API is a few hundred bytes, so 64 of them
 * read at once hold little.
 */
export const FREE_ANSWER_BYTES = 64 * 1024

/**
 * The one lane that answers larger than FREE_ANSWER_BYTES read through, one at a time, so that what
 * the process holds is bounded by one large answer, not by how many are in flight: 64 jobs whose
 * messages are 8 MiB otherwise hold 64 answers of 8 MiB at once, each also decoded and parsed.
 * Process-wide, because memory is. Whoever waits is paused (TCP holds the rest at the server).
 *
 * The lane hands over on the next turn of the event loop, after a full collection: by then the
 * answer that left has been parsed and let go, and what it cost (its bytes, its text, its parsed
 * message, each megabytes) is freed before the next one is read. Without it, V8 lets several large
 * answers' garbage pile up between its own collections: 1,000 jobs with 8 MiB messages peaked at
 * 258 MiB with the lane alone, 155 MiB with the collection (Node 20, bench/results.md).
 */
export class AnswerLane {
  constructor(private readonly collect: () => void = fullCollection()) {}

  private holder: object | undefined
  private readonly waiting: { who: object; enter: () => void }[] = []
  private bytes = 0
  private most = 0

  /** True if `who` holds the lane now; if not, `enter` is called once they do. */
  take(who: object, enter: () => void): boolean {
    if (this.holder === undefined) this.holder = who
    if (this.holder === who) return true
    if (!this.waiting.some((entry) => entry.who === who)) this.waiting.push({ who, enter })
    return false
  }

  /** `who` is done, read or failed: lets the next one in, or leaves the queue. */
  leave(who: object): void {
    const queued = this.waiting.findIndex((entry) => entry.who === who)
    if (queued >= 0) this.waiting.splice(queued, 1)
    if (this.holder !== who) return
    const next = this.waiting.shift()
    this.holder = next?.who
    if (next === undefined) return
    setImmediate(() => {
      this.collect()
      next.enter()
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

function exposedGc(): () => void {
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
