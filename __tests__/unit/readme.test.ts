import { readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'

const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { required?: boolean }>
  outputs: Record<string, unknown>
}
const readme = readFileSync('README.md', 'utf8')
const USES = /spotfire-automation-services-action@v\d+$|^\.\/spotfire-action$/

interface Step {
  uses?: string
  id?: string
  with?: Record<string, unknown>
}

/** Every step in the README's YAML examples that uses this action. */
function actionSteps(markdown: string): Step[] {
  const blocks = [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')
  const steps: Step[] = []
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit)
    else if (node !== null && typeof node === 'object') {
      const step = node as Step
      if (typeof step.uses === 'string' && USES.test(step.uses)) steps.push(step)
      Object.values(node).forEach(visit)
    }
  }
  for (const block of blocks) visit(parse(block))
  return steps
}

describe('the README examples', () => {
  const steps = actionSteps(readme)

  it('has examples to check', () => {
    expect(steps.length).toBeGreaterThanOrEqual(8)
  })

  it('give only inputs that action.yml declares, and every required one', () => {
    const declared = Object.keys(action.inputs)
    const required = declared.filter((name) => action.inputs[name]?.required === true)
    for (const step of steps) {
      const given = Object.keys(step.with ?? {})
      expect(given.filter((name) => !declared.includes(name))).toEqual([])
      expect(required.filter((name) => !given.includes(name))).toEqual([])
    }
  })

  it('read only outputs that action.yml declares', () => {
    const used = [...readme.matchAll(/steps\.[\w-]+\.outputs\.([\w-]+)/g)].map((m) => m[1] ?? '')
    expect(used.length).toBeGreaterThan(0)
    expect(used.filter((name) => !(name in action.outputs))).toEqual([])
  })

  it('catches an input that does not exist', () => {
    const bad = actionSteps(
      '```yaml\n- uses: o/spotfire-automation-services-action@v1\n  with:\n    nope: 1\n```',
    )
    expect(Object.keys(bad[0]?.with ?? {})).toEqual(['nope'])
  })
})
