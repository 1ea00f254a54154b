import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parse, parseDocument } from 'yaml'

interface ActionInterface {
  inputs: Record<string, { required?: unknown; default?: unknown } | null>
  outputs: Record<string, unknown>
}

type Mapping = Record<string, unknown>

const WORKFLOWS = '.github/workflows'

/** A step's id as the runner reads it (a string; YAML may give a number). */
function stepId(step: unknown): string | undefined {
  if (!isMapping(step)) return undefined
  const id = step.id
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined
}

function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** `uses: ./` (or `.`, `./.`): the action in the repository root, i.e. action.yml. */
function usesThisAction(uses: unknown): boolean {
  return typeof uses === 'string' && ['.', './', './.', './/'].includes(uses.trim())
}

/** Every string anywhere inside `value`. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(strings)
  if (isMapping(value)) return Object.values(value).flatMap(strings)
  return []
}

interface StepReference {
  id: string
  /** The output name for steps.X.outputs.Y, undefined for steps.X.outcome / .conclusion. */
  output: string | undefined
  text: string
}

const NAME = '[A-Za-z_][A-Za-z0-9_-]*'
const REFERENCE = new RegExp(
  `\\bsteps\\.(${NAME})\\.(?:outputs\\.(${NAME})|outputs\\[\\s*['"]([^'"]+)['"]\\s*\\]|(outcome|conclusion)\\b)`,
  'g',
)

function references(value: unknown): StepReference[] {
  return strings(value).flatMap((text) =>
    [...text.matchAll(REFERENCE)].map((match) => ({
      id: match[1] ?? '',
      output: match[2] ?? match[3],
      text: match[0],
    })),
  )
}

/**
 * Problems with one workflow file's text: shape (on, jobs, steps), `uses: ./` steps against
 * action.yml's inputs, and steps.X.outputs.Y / steps.X.outcome against the job's step ids and
 * action.yml's outputs. An empty list means the workflow is fine.
 */
function checkWorkflow(file: string, text: string, action: ActionInterface): string[] {
  const problems: string[] = []
  const problem = (where: string, message: string) => problems.push(`${file}: ${where}: ${message}`)
  const document = parseDocument(text)
  if (document.errors.length > 0) {
    return document.errors.map((error) => `${file}: YAML: ${error.message}`)
  }
  const workflow: unknown = document.toJS()
  if (!isMapping(workflow)) return [`${file}: not a YAML mapping`]
  if (!('on' in workflow)) problem('workflow', 'has no "on" (trigger) key')
  const jobs = workflow.jobs
  if (!isMapping(jobs) || Object.keys(jobs).length === 0) {
    problem('workflow', 'has no jobs')
    return problems
  }

  const inputs = action.inputs
  const required = Object.entries(inputs)
    .filter(([, input]) => {
      const isRequired = input?.required === true || input?.required === 'true'
      return isRequired && input.default === undefined
    })
    .map(([name]) => name)
  const outputs = new Set(Object.keys(action.outputs))

  for (const [jobName, job] of Object.entries(jobs)) {
    const where = `jobs.${jobName}`
    if (!isMapping(job)) {
      problem(where, 'is not a mapping')
      continue
    }
    if (job.uses !== undefined) continue // a reusable workflow call: no steps of its own
    if (job['runs-on'] === undefined) problem(where, 'has no runs-on')
    if (!Array.isArray(job.steps) || job.steps.length === 0) {
      problem(where, 'has no steps')
      continue
    }
    const steps: unknown[] = job.steps
    // Step id -> position and whether it runs this action (so its outputs are action.yml's).
    const ids = new Map<string, { index: number; ours: boolean }>()
    steps.forEach((step, index) => {
      const id = stepId(step)
      if (id === undefined || !isMapping(step)) return
      if (ids.has(id)) problem(`${where}.steps[${index}]`, `duplicate step id "${id}"`)
      else ids.set(id, { index, ours: usesThisAction(step.uses) })
    })

    const checkReferences = (value: unknown, stepWhere: string, position: number) => {
      for (const reference of references(value)) {
        const target = ids.get(reference.id)
        if (target === undefined) {
          problem(stepWhere, `${reference.text}: no step with id "${reference.id}" in this job`)
          continue
        }
        if (target.index >= position) {
          problem(stepWhere, `${reference.text}: step "${reference.id}" has not run yet here`)
        }
        if (reference.output !== undefined && target.ours && !outputs.has(reference.output)) {
          problem(stepWhere, `${reference.text}: action.yml has no output "${reference.output}"`)
        }
      }
    }

    // The steps context does not exist in a job's if/env/strategy; job outputs may read any step.
    for (const [key, value] of Object.entries(job)) {
      if (key === 'outputs') checkReferences(value, `${where}.outputs`, Number.POSITIVE_INFINITY)
      else if (key !== 'steps') checkReferences(value, `${where}.${key}`, -1)
    }

    let checkedOut = false
    steps.forEach((step, index) => {
      const id = stepId(step)
      const stepWhere = `${where}.steps[${index}]${id === undefined ? '' : ` (${id})`}`
      if (!isMapping(step)) {
        problem(stepWhere, 'is not a mapping')
        return
      }
      if (typeof step.uses === 'string' && step.uses.startsWith('actions/checkout@')) {
        checkedOut = true
      }
      if (step.uses === undefined && step.run === undefined) {
        problem(stepWhere, 'has neither uses nor run')
      }
      checkReferences(step, stepWhere, index)
      if (!usesThisAction(step.uses)) return

      if (!checkedOut) problem(stepWhere, 'uses: ./ before actions/checkout')
      const given = step.with ?? {}
      if (!isMapping(given)) {
        problem(stepWhere, 'with: is not a mapping')
        return
      }
      for (const name of Object.keys(given)) {
        if (!(name in inputs)) problem(stepWhere, `with: "${name}" is not an input of action.yml`)
      }
      for (const name of required) {
        if (!(name in given)) problem(stepWhere, `with: the required input "${name}" is missing`)
      }
    })
  }
  return problems
}

const action = parse(readFileSync('action.yml', 'utf8')) as ActionInterface

const GOOD = `
on: push
jobs:
  run:
    runs-on: ubuntu-latest
    outputs:
      status: \${{ steps.job.outputs.status }}
    steps:
      - uses: actions/checkout@v5
      - id: job
        uses: ./
        with:
          server-url: http://127.0.0.1:8080
          client-id: demo-client
          client-secret: demo-secret
      - if: steps.job.outcome == 'failure' && steps.job.outputs['timed-out'] == 'true'
        run: echo "\${{ steps.job.outputs.message }}"
`

describe('the repository workflows', () => {
  const files = readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name))

  it('include CI and the self-test', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'self-test.yml']))
  })

  it.each(files)('%s is valid against action.yml', (name) => {
    const text = readFileSync(join(WORKFLOWS, name), 'utf8')
    expect(checkWorkflow(name, text, action)).toEqual([])
  })

  it('self-test.yml runs the action at least three times and checks its outputs', () => {
    const workflow = parse(readFileSync(join(WORKFLOWS, 'self-test.yml'), 'utf8')) as {
      jobs: Record<string, { steps: Mapping[] }>
    }
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps)
    expect(steps.filter((step) => usesThisAction(step.uses)).length).toBeGreaterThanOrEqual(3)
    expect(references(steps).some((reference) => reference.output === 'status')).toBe(true)
  })
})

describe('checkWorkflow', () => {
  it('accepts a correct workflow', () => {
    expect(checkWorkflow('good.yml', GOOD, action)).toEqual([])
  })

  it('reports an unknown input and a missing required input', () => {
    const bad = GOOD.replace('client-secret: demo-secret', 'client-secrett: demo-secret')
    expect(checkWorkflow('bad.yml', bad, action)).toEqual([
      'bad.yml: jobs.run.steps[1] (job): with: "client-secrett" is not an input of action.yml',
      'bad.yml: jobs.run.steps[1] (job): with: the required input "client-secret" is missing',
    ])
  })

  it('reports an unknown output and an unknown step id', () => {
    const bad = GOOD.replace('steps.job.outputs.message', 'steps.job.outputs.mesage').replace(
      "steps.job.outcome == 'failure'",
      "steps.jobb.outcome == 'failure'",
    )
    expect(checkWorkflow('bad.yml', bad, action)).toEqual([
      'bad.yml: jobs.run.steps[2]: steps.jobb.outcome: no step with id "jobb" in this job',
      'bad.yml: jobs.run.steps[2]: steps.job.outputs.mesage: action.yml has no output "mesage"',
    ])
  })

  it('reports a bracketed unknown output and a job output naming a missing step', () => {
    const bad = GOOD.replace("outputs['timed-out']", "outputs['timedout']").replace(
      'status: ${{ steps.job.outputs.status }}',
      'status: ${{ steps.other.outputs.status }}',
    )
    expect(checkWorkflow('bad.yml', bad, action)).toEqual([
      'bad.yml: jobs.run.outputs: steps.other.outputs.status: no step with id "other" in this job',
      `bad.yml: jobs.run.steps[2]: steps.job.outputs['timedout']: action.yml has no output "timedout"`,
    ])
  })

  it('reports a reference to a step that has not run yet, and a step id from another job', () => {
    const bad = `
on: push
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ steps.later.outputs.status }}"
      - id: later
        uses: ./
        with: { server-url: x, client-id: y, client-secret: z }
  two:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ steps.later.outputs.status }}"
`
    expect(checkWorkflow('bad.yml', bad, action)).toEqual([
      'bad.yml: jobs.one.steps[0]: steps.later.outputs.status: step "later" has not run yet here',
      'bad.yml: jobs.one.steps[1] (later): uses: ./ before actions/checkout',
      'bad.yml: jobs.two.steps[0]: steps.later.outputs.status: no step with id "later" in this job',
    ])
  })

  it('does not check output names of steps that are not this action', () => {
    const other = GOOD.replace(
      '      - if:',
      '      - id: mine\n        run: echo "x=1" >> "$GITHUB_OUTPUT"\n      - run: echo ${{ steps.mine.outputs.x }}\n      - if:',
    )
    expect(checkWorkflow('other.yml', other, action)).toEqual([])
  })

  it('reports a workflow without on or jobs, and YAML errors', () => {
    expect(checkWorkflow('empty.yml', 'name: nothing\n', action)).toEqual([
      'empty.yml: workflow: has no "on" (trigger) key',
      'empty.yml: workflow: has no jobs',
    ])
    expect(checkWorkflow('broken.yml', 'on: [push\njobs: {}\n', action)[0]).toMatch(
      /^broken\.yml: YAML: /,
    )
  })
})
