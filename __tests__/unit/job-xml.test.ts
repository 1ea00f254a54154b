import { describe, expect, it } from '@jest/globals'
import {
  checkJobXml,
  escapeXml,
  JOB_NAMESPACE,
  parseVariables,
  substituteVariables,
} from '../../src/job-xml.js'
import { SAMPLE_JOB } from './fixtures.js'

const job = (inner = ''): string => `<as:Job xmlns:as="${JOB_NAMESPACE}">${inner}</as:Job>`

describe('parseVariables', () => {
  it('reads NAME=value lines, skipping blank and comment lines', () => {
    const { variables, errors } = parseVariables(
      '# regions\nREGION=EMEA\n\n   \n  # indented comment\r\nYEAR = 2024 \r\n',
    )
    expect(errors).toEqual([])
    expect([...variables]).toEqual([
      ['REGION', 'EMEA'],
      ['YEAR', '2024'],
    ])
  })

  it('keeps every = after the first in the value', () => {
    const { variables, errors } = parseVariables('FILTER=a=b==c')
    expect(errors).toEqual([])
    expect(variables.get('FILTER')).toBe('a=b==c')
  })

  it('allows an empty value', () => {
    const { variables, errors } = parseVariables('EMPTY=')
    expect(errors).toEqual([])
    expect(variables.get('EMPTY')).toBe('')
  })

  it.each([['1ST=x'], ['MY-VAR=x'], ['MY VAR=x'], ['=x'], ['Ä=x']])(
    'rejects the bad name in %j, naming the line',
    (line) => {
      const { variables, errors } = parseVariables(`OK=1\n${line}`)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toContain('line 2')
      expect(errors[0]).toContain(line)
      expect(variables.size).toBe(1)
    },
  )

  it('rejects a line without =', () => {
    const { variables, errors } = parseVariables('REGION EMEA')
    expect(variables.size).toBe(0)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/line 1 'REGION EMEA'.*NAME=value/)
  })

  it('reports a name defined twice and keeps the first value', () => {
    const { variables, errors } = parseVariables('A=1\nA=2')
    expect(errors).toEqual([expect.stringContaining("'A' is defined twice")])
    expect(variables.get('A')).toBe('1')
  })

  it('reports every bad line, not only the first', () => {
    const { errors } = parseVariables('bad one\nA=1\n2=x\nA=3')
    expect(errors).toHaveLength(3)
  })

  it('reads an empty text as no variables', () => {
    expect(parseVariables('')).toEqual({ variables: new Map(), errors: [] })
  })
})

describe('escapeXml', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`a & b < c > d " e ' f`)).toBe('a &amp; b &lt; c &gt; d &quot; e &apos; f')
  })

  it('escapes & first, so that an existing entity is escaped once, not twice', () => {
    expect(escapeXml('&lt;')).toBe('&amp;lt;')
  })
})

describe('substituteVariables', () => {
  const vars = (entries: Record<string, string>): Map<string, string> =>
    new Map(Object.entries(entries))

  it('replaces each reference with the XML-escaped value', () => {
    const { xml, errors } = substituteVariables(
      '<C>Region="${REGION}"; Note="${NOTE}"; Again=${REGION}</C>',
      vars({ REGION: 'EMEA', NOTE: `Tom & Jerry <"best"> 'ever'` }),
    )
    expect(errors).toEqual([])
    expect(xml).toBe(
      '<C>Region="EMEA"; Note="Tom &amp; Jerry &lt;&quot;best&quot;&gt; &apos;ever&apos;"; Again=EMEA</C>',
    )
  })

  it('does not expand references inside a substituted value', () => {
    const { xml, errors } = substituteVariables('${A}', vars({ A: '${B}', B: 'no' }))
    expect(errors).toEqual([])
    expect(xml).toBe('${B}')
  })

  it('does not read $ patterns in a value as replacement patterns', () => {
    const { xml } = substituteVariables('<a>${A}</a>', vars({ A: "$& $' $1" }))
    expect(xml).toBe('<a>$&amp; $&apos; $1</a>')
  })

  it('writes $${ as a literal ${ and does not count it as a reference', () => {
    const { xml, errors } = substituteVariables('cost: $${PRICE} and ${A}', vars({ A: 'x' }))
    expect(errors).toEqual([])
    expect(xml).toBe('cost: ${PRICE} and x')
  })

  it('leaves text without references unchanged, including a lone $ and {jobid}', () => {
    const text = '<a>$5 {jobid} $ {x}</a>'
    expect(substituteVariables(text, new Map())).toEqual({ xml: text, errors: [] })
  })

  it('lists each undefined name once, in one error', () => {
    const { errors } = substituteVariables('${A} ${B} ${A} ${DEFINED} ${B}', vars({ DEFINED: '1' }))
    expect(errors).toHaveLength(1)
    const [error] = errors
    expect(error).toContain("'A', 'B'")
    expect(error?.match(/'A'/g)).toHaveLength(1)
    expect(error?.match(/'B'/g)).toHaveLength(1)
    expect(error).not.toContain('DEFINED')
  })

  it('names a single undefined variable in the singular', () => {
    const { errors } = substituteVariables('${ONLY}', new Map())
    expect(errors).toEqual([
      expect.stringMatching(/variable 'ONLY' but variables does not define it/),
    ])
  })

  it.each([['${ x}'], ['${x }'], ['${}'], ['${1x}'], ['${a-b}']])(
    'reports the malformed reference %j',
    (reference) => {
      const { errors } = substituteVariables(`<a>${reference}</a>`, vars({ x: '1' }))
      expect(errors).toEqual([expect.stringContaining(`'${reference}'`)])
    },
  )

  it('reports an unterminated ${x at the end of the text', () => {
    const { errors } = substituteVariables('<a/>${x', vars({ x: '1' }))
    expect(errors).toEqual([expect.stringContaining(`'\${x'`)])
  })

  it('reports an unterminated ${x before a line break', () => {
    const { errors } = substituteVariables('<a>${x\n}</a>', vars({ x: '1' }))
    expect(errors).toEqual([expect.stringContaining('not a variable reference')])
  })

  it('reports both undefined names and a malformed reference', () => {
    const { errors } = substituteVariables('${A} ${ B}', new Map())
    expect(errors).toHaveLength(2)
  })
})

describe('checkJobXml', () => {
  it('accepts the sample job from the API sheet', () => {
    expect(checkJobXml(SAMPLE_JOB)).toBeUndefined()
  })

  it('accepts a root in the default namespace', () => {
    expect(checkJobXml(`<Job xmlns="${JOB_NAMESPACE}"><Tasks/></Job>`)).toBeUndefined()
  })

  it('accepts any prefix bound to the job namespace, and comments around the root', () => {
    expect(
      checkJobXml(`<!-- made by hand -->\n<a:Job xmlns:a='${JOB_NAMESPACE}'><a:Tasks/></a:Job>`),
    ).toBeUndefined()
  })

  it('accepts a byte order mark before the XML declaration', () => {
    expect(checkJobXml(`\uFEFF${SAMPLE_JOB}`)).toBeUndefined()
  })

  it('reports malformed XML with its line and column', () => {
    const problem = checkJobXml(`<as:Job xmlns:as="${JOB_NAMESPACE}">\n  <as:Tasks>\n</as:Job>`)
    expect(problem).toMatch(/not well-formed \(line 3, column \d+\)/)
    expect(problem).toContain('as:Tasks')
  })

  it('reports an unescaped & in task text', () => {
    expect(checkJobXml(job('<a>Tom & Jerry</a>'))).toMatch(/not well-formed \(line 1, column \d+\)/)
  })

  it('reports a wrong root element', () => {
    expect(checkJobXml(`<as:Task xmlns:as="${JOB_NAMESPACE}"/>`)).toMatch(
      /root element is <as:Task>; expected <as:Job/,
    )
  })

  it('reports a root in the wrong namespace', () => {
    expect(checkJobXml('<as:Job xmlns:as="urn:example:other"><as:Tasks/></as:Job>')).toMatch(
      /root element is <as:Job>/,
    )
  })

  it('reports a root without a namespace', () => {
    expect(checkJobXml('<Job><Tasks/></Job>')).toMatch(/root element is <Job>/)
  })

  it('reports a prefix that is not the one bound to the namespace', () => {
    expect(checkJobXml(`<as:Job xmlns="${JOB_NAMESPACE}"/>`)).toMatch(/root element is <as:Job>/)
  })

  it('reports two root elements', () => {
    const problem = checkJobXml(`${job()}\n${job()}`)
    expect(problem).toBeDefined()
    expect(problem).toMatch(/root/)
  })

  it.each([[''], ['   \n\t ']])('reports the empty job %j', (xml) => {
    expect(checkJobXml(xml)).toBe('The job XML is empty.')
  })

  it('reports text after the root element', () => {
    expect(checkJobXml(`${job('<as:Tasks/>')} trailing text`)).toMatch(/not well-formed/)
  })

  it('reports text that is not XML', () => {
    expect(checkJobXml('just some text')).toMatch(/not well-formed/)
  })
})
