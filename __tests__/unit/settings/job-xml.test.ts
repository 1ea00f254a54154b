import { describe, expect, it } from '@jest/globals'
import {
  checkJobXml,
  escapeXml,
  JOB_NAMESPACE,
  parseVariables,
  substituteVariables,
} from '../../../src/settings/job-xml.js'
import { SAMPLE_JOB } from '../fixtures.js'
import { job } from './helpers.js'

const vars = (entries: Record<string, string>): Map<string, string> =>
  new Map(Object.entries(entries))

describe('parseVariables', () => {
  it('reads NAME=value lines, skipping blank and comment lines, trimming names and values', () => {
    const { variables, errors } = parseVariables(
      '# regions\nREGION=EMEA\n\n   \n  # indented comment\r\nYEAR = 2024 \r\n_x1=y\n',
    )
    expect(errors).toEqual([])
    expect([...variables]).toEqual([
      ['REGION', 'EMEA'],
      ['YEAR', '2024'],
      ['_x1', 'y'],
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

  it('reads an empty text as no variables', () => {
    expect(parseVariables('')).toEqual({ variables: new Map(), errors: [] })
  })

  it.each([['1ST=hunter2'], ['MY-VAR=hunter2'], ['MY VAR=hunter2'], ['=hunter2'], ['Ä=hunter2']])(
    'rejects the bad name in %j, naming the line but not echoing it',
    (line) => {
      const { variables, errors } = parseVariables(`OK=1\n${line}`)
      expect(errors).toEqual([
        'Invalid variables line 2. Expected NAME=value, where NAME is letters, digits and _ (not starting with a digit).',
      ])
      expect(errors[0]).not.toContain('hunter2')
      expect([...variables.keys()]).toEqual(['OK'])
    },
  )

  it('rejects a line without =, without echoing it (it may be a secret)', () => {
    const { variables, errors } = parseVariables('\n# c\nPASSWORD hunter2')
    expect(variables.size).toBe(0)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^Invalid variables line 3\. Expected NAME=value/)
    expect(errors[0]).not.toContain('hunter2')
    expect(errors[0]).not.toContain('PASSWORD')
  })

  it('reports a name defined twice and keeps the first value', () => {
    const { variables, errors } = parseVariables('A=1\nA=2')
    expect(errors).toEqual(["Variable 'A' is defined twice in variables."])
    expect(variables.get('A')).toBe('1')
  })

  it('reports every bad line, not only the first', () => {
    const { errors } = parseVariables('bad one\nA=1\n2=x\nA=3')
    expect(errors).toEqual([
      expect.stringContaining('line 1.'),
      expect.stringContaining('line 3.'),
      expect.stringContaining("'A' is defined twice"),
    ])
  })

  it('names the input as told', () => {
    const { errors } = parseVariables('bad\nA=1\nA=2', '--variables')
    expect(errors).toEqual([
      expect.stringMatching(/^Invalid --variables line 1\./),
      "Variable 'A' is defined twice in --variables.",
    ])
  })
})

describe('escapeXml', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`a & b < c > d " e ' f`)).toBe('a &amp; b &lt; c &gt; d &quot; e &apos; f')
  })

  it('escapes & first, so that an existing entity is escaped once, not twice', () => {
    expect(escapeXml('&lt;')).toBe('&amp;lt;')
  })

  it('leaves other text alone', () => {
    expect(escapeXml('Région 1 / ${X} {jobid}')).toBe('Région 1 / ${X} {jobid}')
  })
})

describe('substituteVariables', () => {
  it('replaces each reference with the XML-escaped value', () => {
    const { xml, errors, undefinedNames } = substituteVariables(
      '<C>Region="${REGION}"; Note="${NOTE}"; Again=${REGION}</C>',
      vars({ REGION: 'EMEA', NOTE: `Tom & Jerry <"best"> 'ever'` }),
    )
    expect(errors).toEqual([])
    expect(undefinedNames).toEqual([])
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
    const { xml } = substituteVariables('<a>${A}</a>', vars({ A: "$& $' $1 $$" }))
    expect(xml).toBe('<a>$&amp; $&apos; $1 $$</a>')
  })

  it('writes $${ as a literal ${ and does not count it as a reference', () => {
    const { xml, errors } = substituteVariables(
      'cost: $${PRICE} and ${A}; $${ not a name',
      vars({ A: 'x' }),
    )
    expect(errors).toEqual([])
    expect(xml).toBe('cost: ${PRICE} and x; ${ not a name')
  })

  it('leaves text without references unchanged, including a lone $ and {jobid}', () => {
    const text = '<a>$5 {jobid} $ {x} $}</a>'
    expect(substituteVariables(text, new Map())).toEqual({
      xml: text,
      errors: [],
      undefinedNames: [],
    })
  })

  it('lists each undefined name once, in one error, and only the undefined ones', () => {
    const { errors, undefinedNames } = substituteVariables(
      '${A} ${B} ${A} ${DEFINED} ${B}',
      vars({ DEFINED: '1' }),
    )
    expect(undefinedNames).toEqual(['A', 'B'])
    expect(errors).toEqual([
      "The job uses variables 'A', 'B' but variables does not define them. Add NAME=value lines to variables, or write $${ for a literal ${.",
    ])
  })

  it('names a single undefined variable in the singular, and the input as told', () => {
    const { errors } = substituteVariables('${ONLY}', new Map(), '--variables')
    expect(errors).toEqual([
      expect.stringMatching(
        /variable 'ONLY' but --variables does not define it\. .* to --variables/,
      ),
    ])
  })

  it('points a near miss the right way: from the name given to the name the job uses', () => {
    // BUG fixed: with REGOIN given and REGION used, the hint asked "did you mean 'REGOIN'?".
    const { errors } = substituteVariables('${REGION}', vars({ REGOIN: 'EMEA' }))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain("variables defines 'REGOIN': did you mean 'REGION'?")
    expect(errors[0]).not.toContain("did you mean 'REGOIN'")
  })

  it('does not offer a name the job already uses as a near miss', () => {
    const { errors } = substituteVariables('${REGION} ${REGIONS}', vars({ REGION: 'EMEA' }))
    expect(errors[0]).not.toContain('did you mean')
  })

  it.each([['${ x}'], ['${x }'], ['${}'], ['${1x}'], ['${a-b}'], ['${x.y}']])(
    'reports the malformed reference %j with its place, quoting nothing of the job',
    (reference) => {
      const text = `<a>\n  <b>hunter2 ${reference}</b>\n</a>`
      const { xml, errors } = substituteVariables(text, vars({ x: '1' }))
      expect(errors).toEqual([
        'The job has a ${ that is not a variable reference at line 2, column 14. Expected ${NAME} with NAME of letters, digits and _, or $${ for a literal ${.',
      ])
      expect(errors[0]).not.toContain('hunter2')
      expect(errors[0]).not.toContain(reference)
      expect(xml).toBe(text)
    },
  )

  it('reports an unterminated ${x at the end of the text', () => {
    const { errors } = substituteVariables('<a/>${x', vars({ x: '1' }))
    expect(errors).toEqual([
      expect.stringContaining('not a variable reference at line 1, column 5'),
    ])
  })

  it('reports an unterminated ${x before a line break', () => {
    const { errors } = substituteVariables('<a>\r\n${x\n}</a>', vars({ x: '1' }))
    expect(errors).toEqual([
      expect.stringContaining('not a variable reference at line 2, column 1'),
    ])
  })

  describe('inside CDATA', () => {
    /** The text of `<t>`, whose content is CDATA sections only, as an XML parser reads it. */
    const cdataText = (xml: string): string => {
      const content = /<t>([\s\S]*)<\/t>/.exec(xml)?.[1] ?? ''
      expect(content.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '')).toBe('')
      return [...content.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((m) => m[1]).join('')
    }

    it('inserts the value verbatim: R&D stays R&D', () => {
      // BUG fixed: the value was XML-escaped there too, and the server read R&amp;D.
      const { xml, errors } = substituteVariables('<t><![CDATA[${X}]]></t>', vars({ X: 'R&D <b>' }))
      expect(errors).toEqual([])
      expect(xml).toBe('<t><![CDATA[R&D <b>]]></t>')
      expect(checkJobXml(job(xml))).toBeUndefined()
    })

    it.each([
      ['a value holding ]]>', '<t><![CDATA[a ${X} b]]></t>', 'x]]>y'],
      ['a value made of ]]> only', '<t><![CDATA[${X}]]></t>', ']]>'],
      ['a value ending in ]] before a >', '<t><![CDATA[${X}>]]></t>', 'x]]'],
      ['a value ending in ] before ]>', '<t><![CDATA[${X}]>]]></t>', 'x]'],
      ['a value starting with > after ]]', '<t><![CDATA[]]${X}]]></t>', '>x'],
      ['a value starting with ]> after ]', '<t><![CDATA[]${X}]]></t>', ']>x'],
      ['two values that make ]]> together', '<t><![CDATA[${X}${Y}]]></t>', ']]'],
    ])('splits the section around %s', (_case, template, value) => {
      const { xml, errors } = substituteVariables(template, vars({ X: value, Y: '>' }))
      expect(errors).toEqual([])
      expect(checkJobXml(job(xml))).toBeUndefined()
      const expected = template
        .replace(/^<t><!\[CDATA\[/, '')
        .replace(/\]\]><\/t>$/, '')
        .replace('${X}', value)
        .replace('${Y}', '>')
      expect(cdataText(xml)).toBe(expected)
    })

    it('escapes the value again after the section ends, and in every other section as its own', () => {
      const { xml } = substituteVariables(
        '<a x="${X}"><![CDATA[${X}]]>${X}<![CDATA[${X}]]></a>',
        vars({ X: 'R&D' }),
      )
      expect(xml).toBe('<a x="R&amp;D"><![CDATA[R&D]]>R&amp;D<![CDATA[R&D]]></a>')
    })

    it('reads a CDATA opening inside a comment as comment text', () => {
      const { xml } = substituteVariables('<a><!-- <![CDATA[ -->${X}</a>', vars({ X: 'R&D' }))
      expect(xml).toBe('<a><!-- <![CDATA[ -->R&amp;D</a>')
    })

    it('still reports undefined and malformed references at their place in the text', () => {
      const { errors } = substituteVariables('<t><![CDATA[\n${A} ${ B}]]></t>', new Map())
      expect(errors).toEqual([
        expect.stringContaining("variable 'A' but"),
        expect.stringContaining('at line 2, column 6'),
      ])
    })
  })

  it('reports the first malformed reference only, and the undefined names beside it', () => {
    const { errors } = substituteVariables('${A}\n${ B}\n${ C}', new Map())
    expect(errors).toEqual([
      expect.stringContaining("variable 'A' but"),
      expect.stringContaining('at line 2, column 1'),
    ])
  })
})

describe('checkJobXml', () => {
  it('accepts the sample job from the API sheet', () => {
    expect(checkJobXml(SAMPLE_JOB)).toBeUndefined()
  })

  it('accepts a self-closing root', () => {
    expect(checkJobXml(`<as:Job xmlns:as="${JOB_NAMESPACE}"/>`)).toBeUndefined()
  })

  it('accepts a root in the default namespace', () => {
    expect(checkJobXml(`<Job xmlns="${JOB_NAMESPACE}"><Tasks/></Job>`)).toBeUndefined()
  })

  it('accepts any prefix bound to the job namespace, in single quotes, among other attributes', () => {
    expect(
      checkJobXml(
        `<a:Job\n  version="1"\n  xmlns:a = '${JOB_NAMESPACE}'\n  xmlns="urn:x"><a:Tasks/></a:Job>`,
      ),
    ).toBeUndefined()
  })

  it('accepts a byte order mark before the XML declaration', () => {
    expect(checkJobXml(`\uFEFF${SAMPLE_JOB}`)).toBeUndefined()
  })

  it('accepts a DOCTYPE, comments and processing instructions before the root', () => {
    const xml = [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<!-- made by hand: <as:Job xmlns:as="urn:wrong"> -->',
      '<?editor layout="wide"?>',
      '<!DOCTYPE as:Job [',
      '  <!ENTITY region "EMEA">',
      ']>',
      '<!-- another -->',
      `<as:Job xmlns:as="${JOB_NAMESPACE}"><as:Tasks/></as:Job>`,
      '<!-- after -->',
    ].join('\n')
    expect(checkJobXml(xml)).toBeUndefined()
    expect(checkJobXml(`<!DOCTYPE as:Job>\n${job()}`)).toBeUndefined()
  })

  it('accepts white space between the internal subset and the end of the DOCTYPE', () => {
    expect(checkJobXml(`<!DOCTYPE as:Job [ <!ENTITY e "x"> ] >\n${job()}`)).toBeUndefined()
  })

  it('accepts a > inside an attribute value of the root', () => {
    expect(
      checkJobXml(`<as:Job note="a > b" xmlns:as="${JOB_NAMESPACE}"><as:Tasks/></as:Job>`),
    ).toBeUndefined()
  })

  it('accepts nesting far deeper than 100 levels without throwing', () => {
    const depth = 50_000
    const xml = job(`${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`)
    expect(() => checkJobXml(xml)).not.toThrow()
    expect(checkJobXml(xml)).toBeUndefined()
  })

  it('reports deeply nested XML that is not closed, without throwing', () => {
    const xml = job('<a>'.repeat(20_000))
    expect(checkJobXml(xml)).toMatch(/^The job XML is not well-formed/)
  })

  it('reports malformed XML with its line and column, never the tag name', () => {
    const problem = checkJobXml(
      `<as:Job xmlns:as="${JOB_NAMESPACE}">\n  <as:SecretTasks>\n</as:Job>`,
    )
    expect(problem).toBe(
      'The job XML is not well-formed (line 3, column 1): a tag is malformed, or closed where it was not opened.',
    )
  })

  it('reports an unescaped & in task text with its place, never the text', () => {
    const xml = job('<a>hunter2 & Jerry</a>')
    const problem = checkJobXml(xml)
    expect(problem).toBe(
      `The job XML is not well-formed (line 1, column ${xml.indexOf('&') + 1}): a character is not allowed there (write & as &amp; and < as &lt; in text).`,
    )
  })

  it('gives places in the text as written, after an XML declaration on the same line', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>${job('<a>x & y</a>')}`
    expect(checkJobXml(xml)).toMatch(
      new RegExp(`\\(line 1, column ${xml.indexOf('&') + 1}\\): a character is not allowed`),
    )
  })

  it('gives places in the text as written, after a declaration that spans lines', () => {
    const xml = `<?xml version="1.0"\n  encoding="utf-8"?>${job('<a>x & y</a>')}`
    const amp = xml.indexOf('&')
    const column = amp - xml.lastIndexOf('\n', amp)
    expect(checkJobXml(xml)).toMatch(new RegExp(`\\(line 2, column ${column}\\)`))
    const below = `<?xml version="1.0"?>\n${job()}\n<a>x & y</a>`
    expect(checkJobXml(below)).toMatch(/\(line 3, column \d+\)/)
  })

  it('reports a malformed XML declaration', () => {
    expect(checkJobXml(`<?xml version="3.0"?>${job()}`)).toMatch(
      /^The job XML is not well-formed \(line 1, column \d+\): the document is not one/,
    )
  })

  it('reports a control character', () => {
    expect(checkJobXml(job('<a>\u0001</a>'))).toMatch(/control character is not allowed in XML/)
  })

  it.each([
    ['an attribute without quotes', job('<a b=c/>'), 'an attribute value is not in quotes'],
    ['an attribute without a value', job('<a b/>'), 'an attribute is malformed'],
    ['an attribute with an open quote', job('<a b="c/>'), 'an attribute is malformed'],
    ['an attribute given twice', job('<a b="1" b="2"/>'), 'an attribute is malformed'],
    [
      'a tag with a bad name',
      job('<1a/>'),
      'a tag is malformed, or closed where it was not opened',
    ],
    ['a bad DOCTYPE', `<!DOCTYPE a [<!ENTITY b "c"]>${job()}`, 'the DOCTYPE is malformed'],
  ])('reports %s in generic words by the validator code', (_what, xml, words) => {
    const problem = checkJobXml(xml)
    expect(problem).toMatch(/^The job XML is not well-formed \(line 1, column \d+\): /)
    expect(problem).toMatch(new RegExp(`: ${words}\\.$`))
    expect(problem).not.toMatch(/'b'|"b"|\bb\b=|1a/)
  })

  it.each([
    ['a wrong root element', `<as:Task xmlns:as="${JOB_NAMESPACE}"/>`],
    ['a root in the wrong namespace', '<as:Job xmlns:as="urn:example:other"><as:Tasks/></as:Job>'],
    ['a root without a namespace', '<Job><Tasks/></Job>'],
    ['a prefix not bound to the namespace', `<as:Job xmlns="${JOB_NAMESPACE}"/>`],
    ['a default namespace on a prefixed root', `<as:Job xmlns="${JOB_NAMESPACE}" xmlns:as="x"/>`],
    ['a namespace bound to another prefix', `<as:Job xmlns:sa="${JOB_NAMESPACE}"/>`],
    ['a namespace named in a comment only', `<!-- xmlns="${JOB_NAMESPACE}" --><Job/>`],
  ])('reports %s', (_what, xml) => {
    expect(checkJobXml(xml)).toBe(
      `The job XML's root element is not <as:Job xmlns:as="${JOB_NAMESPACE}">.`,
    )
  })

  it('reports two root elements', () => {
    for (const xml of [`${job()}\n${job()}`, `${job('')}<other/>`, `<a></a><b></b>`]) {
      expect(checkJobXml(xml)).toMatch(/^The job XML is not well-formed \(line \d+, column \d+\)/)
    }
  })

  it.each([[''], ['   \n\t ']])('reports the empty job %j', (xml) => {
    expect(checkJobXml(xml)).toBe('The job XML is empty.')
  })

  it('reports text after the root element, without echoing it', () => {
    const problem = checkJobXml(`${job()} hunter2`)
    expect(problem).toMatch(/not well-formed .*the document is not one well-formed element/)
    expect(problem).not.toContain('hunter2')
  })

  it('reports text that is not XML, without echoing it', () => {
    const problem = checkJobXml('hunter2 is the password')
    expect(problem).toMatch(/^The job XML is not well-formed \(line 1, column 1\)/)
    expect(problem).not.toContain('hunter2')
  })

  it('reports XML of only a comment', () => {
    expect(checkJobXml('<!-- nothing -->')).toMatch(/not well-formed|no root element/)
  })

  it('reports white space before the XML declaration, which the server refuses too', () => {
    expect(checkJobXml(`\n  <?xml version="1.0"?>${job()}`)).toMatch(
      /^The job XML is not well-formed/,
    )
  })

  it('never quotes names or text of the job in any of its answers', () => {
    const secret = 'Zq9SecretZq9'
    const bad = [
      `<${secret}>`,
      `<a ${secret}="1" ${secret}="2"/>`,
      `<a>${secret}</b>`,
      `<a>&${secret};</a>`,
      job(`<${secret}>`),
      job(`</${secret}>`),
      job(`<a x="${secret}></a>`),
      `<${secret}:Job xmlns:${secret}="urn:x"/>`,
      `${job()}${secret}`,
      `<!DOCTYPE ${secret} [<!ENTITY ${secret} "${secret}"]>${job()}`,
      `<?xml version="1.0" ${secret}="1"?>${job()}`,
    ]
    for (const xml of bad) {
      const problem = checkJobXml(xml)
      expect(problem).toBeDefined()
      expect(problem).not.toContain(secret)
    }
  })
})
