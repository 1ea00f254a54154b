import { expect, it } from '@jest/globals'
import { AnswerLane } from '../../src/spotfire/answer-lane.js'

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

it('lets one in at a time, in the order they came, and skips those who left while waiting', async () => {
  const entered: string[] = []
  const lane = new AnswerLane(() => entered.push('collect'))
  const [a, b, c, d] = [{}, {}, {}, {}]
  expect(lane.take(a, () => entered.push('a'))).toBe(true)
  expect(lane.take(a, () => entered.push('a again'))).toBe(true)
  expect(lane.take(b, () => entered.push('b'))).toBe(false)
  expect(lane.take(b, () => entered.push('b twice'))).toBe(false)
  expect(lane.take(c, () => entered.push('c'))).toBe(false)
  expect(lane.take(d, () => entered.push('d'))).toBe(false)
  lane.leave(c)
  lane.leave(a)
  // The lane is b's at once, but b reads on the next turn, after the collection.
  expect(lane.take(d, () => entered.push('d again'))).toBe(false)
  expect(entered).toEqual([])
  await nextTurn()
  expect(entered).toEqual(['collect', 'b'])
  lane.leave(b)
  await nextTurn()
  expect(entered).toEqual(['collect', 'b', 'collect', 'd'])
  lane.leave(d)
  expect(lane.take(c, () => entered.push('c'))).toBe(true)
  await nextTurn()
  expect(entered).toEqual(['collect', 'b', 'collect', 'd'])
})

it('does not collect when nobody waits', async () => {
  let collections = 0
  const lane = new AnswerLane(() => collections++)
  const a = {}
  expect(lane.take(a, () => undefined)).toBe(true)
  lane.leave(a)
  await nextTurn()
  expect(collections).toBe(0)
})

it('reports the most bytes held at once, then starts again from what is held', () => {
  const lane = new AnswerLane(() => undefined)
  lane.hold(100)
  lane.hold(50)
  lane.hold(-120)
  expect(lane.held()).toBe(30)
  expect(lane.peak()).toBe(150)
  expect(lane.peak()).toBe(30)
})
