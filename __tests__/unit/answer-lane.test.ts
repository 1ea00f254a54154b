import * as vm from 'node:vm'
import { expect, it } from '@jest/globals'
import { AnswerLane, exposedGc, STALL_MS, type LaneReader } from '../../src/spotfire/answer-lane.js'
import { roomFor } from '../../src/spotfire/http.js'

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** A lane whose watch runs only when the test says so, and which notes what it does. */
function lane(): {
  lane: AnswerLane
  log: string[]
  tick: () => void
  reader: (name: string) => LaneReader
} {
  const log: string[] = []
  const due: (() => void)[] = []
  const made = new AnswerLane(
    () => log.push('collect'),
    (ms, run) => {
      expect(ms).toBe(STALL_MS)
      due.push(run)
    },
  )
  return {
    lane: made,
    log,
    /** Runs the oldest watch, as time would. */
    tick: () => {
      due.shift()?.()
    },
    reader: (name) => ({ pause: () => log.push(`pause ${name}`), resume: () => log.push(name) }),
  }
}

it('lets one in at a time, in the order they came, and skips those who left while waiting', async () => {
  const { lane: l, log, reader } = lane()
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(reader) as [
    LaneReader,
    LaneReader,
    LaneReader,
    LaneReader,
  ]
  expect(l.take(a)).toBe(true)
  expect(l.take(a)).toBe(true)
  expect(l.take(b)).toBe(false)
  expect(l.take(b)).toBe(false)
  expect(l.take(c)).toBe(false)
  expect(l.take(d)).toBe(false)
  l.leave(c)
  l.leave(a)
  // The lane is b's at once, but b reads on the next turn, after the collection.
  expect(l.holds(b)).toBe(true)
  expect(l.take(d)).toBe(false)
  expect(log).toEqual([])
  await nextTurn()
  expect(log).toEqual(['collect', 'b'])
  l.leave(b)
  await nextTurn()
  expect(log).toEqual(['collect', 'b', 'collect', 'd'])
  l.leave(d)
  expect(l.take(c)).toBe(true)
  await nextTurn()
  expect(log).toEqual(['collect', 'b', 'collect', 'd'])
})

it('does not collect when nobody waits', async () => {
  const { lane: l, log, reader } = lane()
  const a = reader('a')
  expect(l.take(a)).toBe(true)
  l.leave(a)
  await nextTurn()
  expect(log).toEqual([])
})

it('sends a holder that read nothing for a while to the back, while others wait', async () => {
  const { lane: l, log, tick, reader } = lane()
  const [a, b] = [reader('a'), reader('b')]
  expect(l.take(a)).toBe(true)
  expect(l.take(b)).toBe(false)
  // a reads on: it keeps the lane.
  expect(l.take(a)).toBe(true)
  tick()
  expect(l.holds(a)).toBe(true)
  // a reads nothing for a whole watch: b gets its turn, a waits behind it.
  tick()
  expect(l.holds(b)).toBe(true)
  await nextTurn()
  expect(log).toEqual(['pause a', 'collect', 'b'])
  expect(l.take(a)).toBe(false)
  // b reads nothing either: a gets its turn back.
  tick()
  expect(l.holds(a)).toBe(true)
  await nextTurn()
  expect(log).toEqual(['pause a', 'collect', 'b', 'pause b', 'collect', 'a'])
})

it('judges a new holder on its own time, not on a watch started before it came in', () => {
  const { lane: l, tick, reader } = lane()
  const [a, b, c] = [reader('a'), reader('b'), reader('c')]
  expect(l.take(a)).toBe(true)
  expect(l.take(b)).toBe(false)
  expect(l.take(c)).toBe(false)
  // a ends just before its watch looks: b comes in, and that old watch says nothing of it.
  l.leave(a)
  tick()
  expect(l.holds(b)).toBe(true)
  // b's own watch: it read, so it stays.
  expect(l.take(b)).toBe(true)
  tick()
  expect(l.holds(b)).toBe(true)
})

it('does not send a lone holder back, however long it waits', () => {
  const { lane: l, log, tick, reader } = lane()
  const a = reader('a')
  expect(l.take(a)).toBe(true)
  tick()
  tick()
  expect(l.holds(a)).toBe(true)
  expect(log).toEqual([])
})

it('reports the most bytes held at once, then starts again from what is held', () => {
  const { lane: l } = lane()
  l.hold(100)
  l.hold(50)
  l.hold(-120)
  expect(l.held()).toBe(30)
  expect(l.peak()).toBe(150)
  expect(l.peak()).toBe(30)
})

it('gives an answer room to grow: doubling, its declared length at once once it holds the lane', () => {
  const MiB = 1024 * 1024
  // Twice what it had, or what it needs if more.
  expect(roomFor(100, 0, NaN, false)).toBe(100)
  expect(roomFor(150, 100, NaN, false)).toBe(200)
  expect(roomFor(500, 100, NaN, false)).toBe(500)
  // Never past the declared length, when that is honest so far, nor past the most read.
  expect(roomFor(150, 100, 160, false)).toBe(160)
  expect(roomFor(7 * MiB, 6 * MiB, NaN, false)).toBe(8 * MiB)
  // A length exceeded already is not believed.
  expect(roomFor(150, 100, 120, false)).toBe(200)
  // The holder gets all it declared at once; undeclared, it still doubles.
  expect(roomFor(150, 100, 2 * MiB, true)).toBe(2 * MiB)
  expect(roomFor(150, 100, NaN, true)).toBe(200)
})

it("has V8's full collection on this Node", () => {
  const gc = exposedGc()
  expect(() => {
    gc()
  }).not.toThrow()
  expect(vm.runInNewContext('typeof gc')).toBe('function')
})
