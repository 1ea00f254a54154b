import { XMLParser } from 'fast-xml-parser'
import { SyntaxValidator } from 'fast-xml-validator'
import type { Lifecycle } from './types.js'

export const JOB_NAMESPACE = 'urn:tibco:spotfire.dxp.automation'

export interface XmlElement {
  localName: string
  namespace: string | undefined
  children: XmlElement[]
  text: string
}

export type ParsedJob = { ok: true; tasks: XmlElement[] } | { ok: false; reason: string }

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
})

/** Accepts what the real server is known to accept: well-formed XML with an automation `Job` root and its `Tasks`. */
export function parseJobXml(xml: string): ParsedJob {
  const text = xml.replace(/^\uFEFF/, '')
  try {
    SyntaxValidator.validate(text)
  } catch (error) {
    const { line } = error as { line?: number }
    const message = error instanceof Error ? error.message : String(error)
    return { ok: false, reason: `${message} (line ${String(line)})` }
  }
  let tree: unknown
  try {
    tree = parser.parse(text)
  } catch (error) {
    // Deeper nesting than the parser allows, say: the server cannot read such a job either.
    return { ok: false, reason: error instanceof Error ? error.message : String(error) }
  }
  const roots = toElements(tree, new Map())
  const root = roots[0]
  if (roots.length !== 1 || root === undefined) {
    return { ok: false, reason: 'The job must have exactly one root element.' }
  }
  if (root.localName !== 'Job' || root.namespace !== JOB_NAMESPACE) {
    return { ok: false, reason: `The root element must be Job in namespace ${JOB_NAMESPACE}.` }
  }
  // Well-formed is not enough for the real server either: a job needs its task list.
  const tasks = root.children.find((child) => child.localName === 'Tasks')
  if (tasks === undefined) return { ok: false, reason: 'The job has no Tasks element.' }
  return { ok: true, tasks: tasks.children }
}

/**
 * Dry-run convention: a task element whose local name is `SimulatedFailure` (any namespace)
 * makes the job fail there, like a real failing task:
 *
 *   <SimulatedFailure xmlns="urn:tibco:spotfire.dxp.automation.tasks">
 *     <as:Title>Export the report</as:Title>
 *     <Reason>No analysis loaded.</Reason>
 *   </SimulatedFailure>
 *
 * ends `Failed` with "Task <n> 'Export the report' failed with: No analysis loaded." (n counts
 * tasks from 1). The job still goes through the phases of the inline lifecycle first.
 */
export function inlineJobLifecycle(tasks: XmlElement[], base: Lifecycle): Lifecycle {
  const index = tasks.findIndex((task) => task.localName === 'SimulatedFailure')
  const task = tasks[index]
  if (task === undefined) return base
  const title = childText(task, 'Title')
  const reason = childText(task, 'Reason')
  return {
    phases: base.phases,
    final: { status: 'Failed', message: `Task ${index + 1} '${title}' failed with: ${reason}` },
  }
}

function childText(element: XmlElement, localName: string): string {
  return element.children.find((child) => child.localName === localName)?.text ?? ''
}

type Namespaces = ReadonlyMap<string, string>

/** fast-xml-parser keeps prefixes but does not resolve them; this walk does, scope by scope. */
function toElements(nodes: unknown, inherited: Namespaces): XmlElement[] {
  if (!Array.isArray(nodes)) return []
  const elements: XmlElement[] = []
  for (const node of nodes as unknown[]) {
    if (!isRecord(node)) continue
    const name = Object.keys(node).find((key) => key !== ':@' && !key.startsWith('#'))
    if (name === undefined) continue
    const namespaces = declaredNamespaces(node[':@'], inherited)
    const colon = name.indexOf(':')
    const prefix = colon < 0 ? '' : name.slice(0, colon)
    const content = node[name]
    elements.push({
      localName: name.slice(colon + 1),
      namespace: namespaces.get(prefix),
      children: toElements(content, namespaces),
      text: ownText(content),
    })
  }
  return elements
}

function declaredNamespaces(attributes: unknown, inherited: Namespaces): Namespaces {
  if (!isRecord(attributes)) return inherited
  const namespaces = new Map(inherited)
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value !== 'string') continue
    if (name === 'xmlns') namespaces.set('', value)
    else if (name.startsWith('xmlns:')) namespaces.set(name.slice('xmlns:'.length), value)
  }
  return namespaces
}

function ownText(content: unknown): string {
  if (!Array.isArray(content)) return ''
  return (content as unknown[])
    .map((node) => (isRecord(node) && typeof node['#text'] === 'string' ? node['#text'] : ''))
    .join('')
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
