import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { Inputs } from '../../../src/shared/constants.js'
import type { FileSystem } from '../../../src/settings/files.js'
import { getSettings, InputError, type JobSpec } from '../../../src/settings/index.js'
import {
  MAX_JOB_FILE_BYTES,
  MAX_JOB_FILES_TOTAL_BYTES,
  MAX_JOBS,
} from '../../../src/settings/job-sources.js'
import { JOB_ID, JOB_WITH_REGION, LIBRARY_ID, SAMPLE_JOB } from '../fixtures.js'
import {
  BASE,
  diskSource,
  inputErrorOf,
  job,
  memoryFs,
  problemsOf,
  settingsOf,
  STACK,
  tempTree,
  titled,
  WORKSPACE,
} from './helpers.js'

const OTHER_ID = '11111111-2222-4333-8444-555555555555'
const FAKE_SECRET = 'sk_live_Zq9xW3fakeSecretValue'

/** The jobs of BASE plus `inputs`. */
const jobsOf = (inputs: Record<string, string>, fs?: FileSystem): JobSpec[] =>
  settingsOf(inputs, fs).jobs

/** The problems of a real workspace holding `files`, with BASE plus `inputs`. */
function diskProblems(workspace: string, inputs: Record<string, string>): string[] {
  try {
    getSettings(diskSource(workspace, inputs))
  } catch (error) {
    if (error instanceof InputError) return error.problems
    throw error
  }
  throw new Error('getSettings accepted the inputs')
}

const utf16 = (text: string, order: 'le' | 'be'): Buffer => {
  const bytes = Buffer.from(`\uFEFF${text}`, 'utf16le')
  if (order === 'be') bytes.swap16()
  return bytes
}

describe('job inputs: one job per line', () => {
  it('reads several library paths, skipping blank and # lines', () => {
    expect(
      jobsOf({
        [Inputs.LibraryPath]: '# nightly\n/Jobs/A\n\n  /Jobs/B with spaces  \r\n#/Jobs/C\n',
      }),
    ).toEqual([
      { kind: 'library-path', path: '/Jobs/A' },
      { kind: 'library-path', path: '/Jobs/B with spaces' },
    ])
  })

  it('reads several library ids, in either case, as given', () => {
    expect(jobsOf({ [Inputs.LibraryId]: `${LIBRARY_ID}\n# x\n${OTHER_ID.toUpperCase()}` })).toEqual(
      [
        { kind: 'library-id', id: LIBRARY_ID },
        { kind: 'library-id', id: OTHER_ID.toUpperCase() },
      ],
    )
  })

  it('reads several job ids to follow', () => {
    expect(jobsOf({ [Inputs.JobId]: `${JOB_ID}\n\n${OTHER_ID}\n` })).toEqual([
      { kind: 'job-id', jobId: JOB_ID },
      { kind: 'job-id', jobId: OTHER_ID },
    ])
  })

  it('reads job-xml as one job whatever its lines, trimmed as the runner trims inputs', () => {
    const jobs = jobsOf({ [Inputs.JobXml]: `\n\n${SAMPLE_JOB}` })
    expect(jobs).toEqual([{ kind: 'xml', xml: SAMPLE_JOB.trim() }])
    expect(jobs[0]).not.toHaveProperty('file')
  })

  it('reads several job files relative to the workspace, keeping each path as written', () => {
    const fs = memoryFs({ '/ws/jobs/a.xml': titled('A'), '/ws/b.xml': titled('B') })
    expect(jobsOf({ [Inputs.JobFile]: 'jobs/a.xml\n# c\n./b.xml' }, fs)).toEqual([
      { kind: 'xml', xml: titled('A'), file: 'jobs/a.xml' },
      { kind: 'xml', xml: titled('B'), file: './b.xml' },
    ])
    expect(fs.reads).toEqual(['/ws/jobs/a.xml', '/ws/b.xml'])
  })

  it('combines the inputs in order: library-path, library-id, job-xml, job-file, job-id', () => {
    const fs = memoryFs({ '/ws/f1.xml': titled('F1'), '/ws/f2.xml': titled('F2') })
    const jobs = jobsOf(
      {
        [Inputs.JobId]: JOB_ID,
        [Inputs.JobFile]: 'f2.xml\nf1.xml',
        [Inputs.JobXml]: titled('X'),
        [Inputs.LibraryId]: LIBRARY_ID,
        [Inputs.LibraryPath]: '/Jobs/B\n/Jobs/A',
      },
      fs,
    )
    expect(jobs).toEqual([
      { kind: 'library-path', path: '/Jobs/B' },
      { kind: 'library-path', path: '/Jobs/A' },
      { kind: 'library-id', id: LIBRARY_ID },
      { kind: 'xml', xml: titled('X') },
      { kind: 'xml', xml: titled('F2'), file: 'f2.xml' },
      { kind: 'xml', xml: titled('F1'), file: 'f1.xml' },
      { kind: 'job-id', jobId: JOB_ID },
    ])
  })

  it('treats inputs of only white space as unset', () => {
    expect(
      jobsOf({
        [Inputs.LibraryPath]: '/Jobs/A',
        [Inputs.JobXml]: '  \n ',
        [Inputs.JobFile]: '\n',
        [Inputs.LibraryId]: ' \r\n ',
      }),
    ).toEqual([{ kind: 'library-path', path: '/Jobs/A' }])
  })

  it.each([Inputs.LibraryPath, Inputs.LibraryId, Inputs.JobFile, Inputs.JobId])(
    'reports a %s of only comments and blank lines: it names no job',
    (input) => {
      // BUG fixed: every job commented out ran nothing, and the step succeeded.
      expect(problemsOf({ [input]: '# /Jobs/A\n\n  # /Jobs/B\n' })).toEqual([
        `${input} holds only comments and blank lines, so it names no job. Expected a job on a line that does not start with #, or no ${input} at all.`,
      ])
    },
  )

  it('reports an input of only comments even beside other jobs', () => {
    expect(
      problemsOf({ [Inputs.LibraryPath]: '/Jobs/A', [Inputs.LibraryId]: '# none today' }),
    ).toEqual([expect.stringContaining('library-id holds only comments and blank lines')])
  })

  it('reports no job at all, naming every job input', () => {
    expect(inputErrorOf(BASE).problems).toEqual([
      'Nothing to do: no job and no upload given. Expected library-path, library-id, job-xml, job-file or job-id for jobs, or library-upload for uploads.',
    ])
  })

  it('does not call a job missing when it was given but is invalid', () => {
    expect(problemsOf({ [Inputs.JobFile]: 'missing.xml' })).toEqual([
      "Cannot read job-file 'missing.xml': no such file (ENOENT). Expected a file path relative to the workspace.",
    ])
  })

  it('reports each relative library path', () => {
    expect(problemsOf({ [Inputs.LibraryPath]: '/Jobs/A\nJobs/B\nC' })).toEqual([
      "Invalid library-path 'Jobs/B'. Expected an absolute library path such as /Jobs/Refresh sales.",
      "Invalid library-path 'C'. Expected an absolute library path such as /Jobs/Refresh sales.",
    ])
  })

  it.each([
    ['not-a-guid'],
    [`${LIBRARY_ID}0`],
    [`{${LIBRARY_ID}}`],
    [LIBRARY_ID.replace(/-/g, '')],
  ])('reports the bad library id %j and the same as a job id', (id) => {
    expect(problemsOf({ [Inputs.LibraryId]: id, [Inputs.JobId]: JOB_ID })).toEqual([
      `Invalid library-id '${id}'. Expected a library item GUID, such as 7d5cf4e0-9106-4884-8fba-cc3065428382.`,
    ])
    expect(problemsOf({ [Inputs.LibraryId]: LIBRARY_ID, [Inputs.JobId]: id })).toEqual([
      `Invalid job-id '${id}'. Expected a job id, such as 7d5cf4e0-9106-4884-8fba-cc3065428382.`,
    ])
  })
})

describe('job inputs: duplicates and limits', () => {
  it('reports a library path given twice', () => {
    expect(problemsOf({ [Inputs.LibraryPath]: '/Jobs/A\n/Jobs/B\n/Jobs/A' })).toEqual([
      "The job '/Jobs/A' is listed twice. Expected each job once.",
    ])
  })

  it('reports a library id or job id given twice, whatever the case', () => {
    expect(
      problemsOf({
        [Inputs.LibraryId]: `${LIBRARY_ID}\n${LIBRARY_ID.toUpperCase()}`,
        [Inputs.JobId]: `${JOB_ID}\n${JOB_ID}`,
      }),
    ).toEqual([
      `The job ${LIBRARY_ID} is listed twice. Expected each job once.`,
      `The job ${JOB_ID} is listed twice. Expected each job once.`,
    ])
  })

  it('does not call a library item and a running job with the same GUID the same job', () => {
    expect(
      jobsOf({ [Inputs.LibraryId]: LIBRARY_ID, [Inputs.JobId]: LIBRARY_ID.toUpperCase() }),
    ).toEqual([
      { kind: 'library-id', id: LIBRARY_ID },
      { kind: 'job-id', jobId: LIBRARY_ID.toUpperCase() },
    ])
  })

  it('reports a job file listed twice, however its path is spelled', () => {
    const fs = memoryFs({ '/ws/jobs/a.xml': titled('A'), '/ws/jobs/b.xml': titled('B') })
    expect(problemsOf({ [Inputs.JobFile]: 'jobs/a.xml\njobs/*.xml' }, fs)).toEqual([
      "The job in 'jobs/a.xml' is listed twice. Expected each job once.",
    ])
    expect(problemsOf({ [Inputs.JobFile]: './jobs/a.xml\njobs/../jobs/a.xml' }, fs)).toEqual([
      "The job in 'jobs/../jobs/a.xml' is listed twice. Expected each job once.",
    ])
    expect(problemsOf({ [Inputs.JobFile]: `/ws/jobs/b.xml\njobs/[b].xml` }, fs)).toEqual([
      "The job in 'jobs/b.xml' is listed twice. Expected each job once.",
    ])
  })

  it('does not call two files with the same content, or the same XML inline and in a file, twice', () => {
    const fs = memoryFs({ '/ws/a.xml': SAMPLE_JOB, '/ws/b.xml': SAMPLE_JOB })
    expect(
      jobsOf({ [Inputs.JobFile]: 'a.xml\nb.xml', [Inputs.JobXml]: SAMPLE_JOB }, fs),
    ).toHaveLength(3)
  })

  it(`accepts ${MAX_JOBS} jobs and reports one more`, () => {
    const paths = (n: number): string =>
      Array.from({ length: n }, (_, i) => `/Jobs/${String(i)}`).join('\n')
    expect(jobsOf({ [Inputs.LibraryPath]: paths(MAX_JOBS) })).toHaveLength(MAX_JOBS)
    expect(problemsOf({ [Inputs.LibraryPath]: paths(MAX_JOBS + 1) })).toEqual([
      `${MAX_JOBS + 1} jobs given. Expected at most ${MAX_JOBS} in one step.`,
    ])
  })

  it('counts jobs across inputs against the limit', () => {
    const paths = Array.from({ length: MAX_JOBS }, (_, i) => `/Jobs/${String(i)}`).join('\n')
    expect(problemsOf({ [Inputs.LibraryPath]: paths, [Inputs.JobId]: JOB_ID })).toEqual([
      `${MAX_JOBS + 1} jobs given. Expected at most ${MAX_JOBS} in one step.`,
    ])
  })

  it('reports a pattern that matches too many files', () => {
    const files: Record<string, string> = {}
    for (let i = 0; i < MAX_JOBS + 4; i++) files[`jobs/j${String(i).padStart(3, '0')}.xml`] = job()
    const workspace = tempTree(files)
    expect(diskProblems(workspace, { [Inputs.JobFile]: 'jobs/*.xml' })).toEqual([
      `job-file pattern 'jobs/*.xml' matches more than ${MAX_JOBS} files. Expected at most ${MAX_JOBS} jobs in one step.`,
    ])
  })

  it('stops a pattern at the job cap, before reading any file', () => {
    // BUG fixed: 450 matched files of 4 MiB were all read before the cap was checked: out of heap.
    const files: Record<string, string> = {}
    for (let i = 0; i < 450; i++) files[`/ws/jobs/j${String(i).padStart(3, '0')}.xml`] = job()
    const fs = memoryFs(files)
    expect(problemsOf({ [Inputs.JobFile]: 'jobs/*.xml' }, fs)).toEqual([
      `job-file pattern 'jobs/*.xml' matches more than ${MAX_JOBS} files. Expected at most ${MAX_JOBS} jobs in one step.`,
    ])
    expect(fs.reads).toEqual([])
  })

  it('counts the jobs of the other inputs against what a pattern may add', () => {
    const files: Record<string, string> = {}
    for (let i = 0; i < 10; i++) files[`/ws/jobs/j${String(i)}.xml`] = titled(String(i))
    const fs = memoryFs(files)
    const paths = Array.from({ length: MAX_JOBS - 5 }, (_, i) => `/Jobs/${String(i)}`).join('\n')
    expect(problemsOf({ [Inputs.LibraryPath]: paths, [Inputs.JobFile]: 'jobs/*.xml' }, fs)).toEqual(
      [
        `job-file pattern 'jobs/*.xml' matches more than 5 files. Expected at most ${MAX_JOBS} jobs in one step.`,
      ],
    )
    expect(fs.reads).toEqual([])
  })

  it(`reads at most ${MAX_JOB_FILES_TOTAL_BYTES / 1024 / 1024} MiB of job files in all`, () => {
    const big = Buffer.alloc(MAX_JOB_FILE_BYTES - 1024, 0x20)
    const count = Math.ceil(MAX_JOB_FILES_TOTAL_BYTES / big.length) + 3
    const files: Record<string, Buffer> = {}
    for (let i = 0; i < count; i++) {
      files[`/ws/jobs/j${String(i).padStart(2, '0')}.xml`] = Buffer.concat([
        Buffer.from(titled(String(i))),
        big,
      ])
    }
    const fs = memoryFs(files)
    expect(problemsOf({ [Inputs.JobFile]: 'jobs/*.xml' }, fs)).toEqual([
      `The job files add up to more than ${MAX_JOB_FILES_TOTAL_BYTES / 1024 / 1024} MiB. Expected at most ${MAX_JOB_FILES_TOTAL_BYTES / 1024 / 1024} MiB in one step: are these job files?`,
    ])
    expect(fs.reads.length).toBe(count - 3)
  })
})

describe('job-file patterns', () => {
  const tree = {
    'jobs/b.xml': titled('B'),
    'jobs/a.xml': titled('A'),
    'jobs/.draft.xml': titled('Draft'),
    'jobs/notes.txt': 'not a job',
    'jobs/nightly/c.xml': titled('C'),
    'more/z.xml': titled('Z'),
  }

  it('expands each pattern relative to the workspace, sorted, in line order', () => {
    const workspace = tempTree(tree)
    const { jobs } = getSettings(
      diskSource(workspace, { [Inputs.JobFile]: 'more/*.xml\njobs/**/*.xml' }),
    )
    expect(jobs).toEqual([
      { kind: 'xml', file: 'more/z.xml', xml: titled('Z') },
      { kind: 'xml', file: 'jobs/a.xml', xml: titled('A') },
      { kind: 'xml', file: 'jobs/b.xml', xml: titled('B') },
      { kind: 'xml', file: 'jobs/nightly/c.xml', xml: titled('C') },
    ])
  })

  it('matches dot files only when asked, and ? and [..] as in shells', () => {
    const workspace = tempTree(tree)
    const files = (pattern: string): (string | undefined)[] =>
      getSettings(diskSource(workspace, { [Inputs.JobFile]: pattern })).jobs.map((j) =>
        j.kind === 'xml' ? j.file : undefined,
      )
    expect(files('jobs/.*.xml')).toEqual(['jobs/.draft.xml'])
    expect(files('jobs/?.xml')).toEqual(['jobs/a.xml', 'jobs/b.xml'])
    expect(files('jobs/[!a].xml')).toEqual(['jobs/b.xml'])
  })

  it('reports each pattern that matches nothing, naming it', () => {
    const workspace = tempTree(tree)
    expect(
      diskProblems(workspace, { [Inputs.JobFile]: 'jobs/*.json\njobs/a.xml\nnone/**/*.xml' }),
    ).toEqual([
      "job-file pattern 'jobs/*.json' matches no file. Expected a pattern such as jobs/*.xml, relative to the workspace.",
      "job-file pattern 'none/**/*.xml' matches no file. Expected a pattern such as jobs/*.xml, relative to the workspace.",
    ])
  })

  it('reads the files a pattern matches through the given file system', () => {
    const fs = memoryFs({ '/ws/jobs/a.xml': titled('A'), '/ws/jobs/b.xml': titled('B') })
    expect(jobsOf({ [Inputs.JobFile]: 'jobs/*.xml' }, fs).map((j) => j.kind)).toEqual([
      'xml',
      'xml',
    ])
    expect(fs.reads).toEqual(['/ws/jobs/a.xml', '/ws/jobs/b.xml'])
  })

  it('turns a file system that throws while listing into a problem beside the others', () => {
    const fs: FileSystem = {
      read: () => Buffer.from(job()),
      list: () => {
        throw new Error('EIO: i/o error, scandir')
      },
    }
    const problems = problemsOf({ [Inputs.JobFile]: 'jobs/*.xml', [Inputs.Wait]: 'maybe' }, fs)
    expect(problems).toEqual([
      'The jobs: it could not be checked (EIO: i/o error, scandir).',
      "Invalid wait 'maybe'. Expected true or false.",
    ])
  })
})

describe('job files: what is read', () => {
  it('refuses a directory without reading it', () => {
    const workspace = tempTree({}, ['jobs/dir.xml'])
    expect(diskProblems(workspace, { [Inputs.JobFile]: 'jobs/dir.xml' })).toEqual([
      "Cannot read job-file 'jobs/dir.xml': it is not a regular file. Expected a file path relative to the workspace.",
    ])
  })

  it('refuses /dev/zero without reading it', () => {
    const workspace = tempTree({})
    expect(diskProblems(workspace, { [Inputs.JobFile]: '/dev/zero' })).toEqual([
      "Cannot read job-file '/dev/zero': it is not a regular file. Expected a file path relative to the workspace.",
    ])
  })

  it(`accepts a file of ${MAX_JOB_FILE_BYTES} bytes and refuses a larger one`, () => {
    const padded = (size: number): string => {
      const head = `<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation"><as:Tasks/>`
      const tail = '</as:Job>'
      return `${head}${' '.repeat(size - head.length - tail.length)}${tail}`
    }
    const workspace = tempTree({})
    writeFileSync(join(workspace, 'max.xml'), padded(MAX_JOB_FILE_BYTES))
    writeFileSync(join(workspace, 'big.xml'), padded(MAX_JOB_FILE_BYTES + 1))
    expect(getSettings(diskSource(workspace, { [Inputs.JobFile]: 'max.xml' })).jobs).toHaveLength(1)
    expect(diskProblems(workspace, { [Inputs.JobFile]: 'big.xml' })).toEqual([
      "Cannot read job-file 'big.xml': it is larger than 4 MiB. Expected a file path relative to the workspace.",
    ])
  })

  it('asks the file system for no more than the limit', () => {
    const limits: number[] = []
    const fs: FileSystem = {
      read: (_path, maxBytes) => {
        limits.push(maxBytes)
        return Buffer.from(job())
      },
      list: () => [],
    }
    jobsOf({ [Inputs.JobFile]: 'a.xml' }, fs)
    expect(limits).toEqual([MAX_JOB_FILE_BYTES])
  })

  it('reads UTF-8 with or without a byte order mark, dropping the mark', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>\n${titled('Région 東京')}`
    const fs = memoryFs({
      '/ws/plain.xml': xml,
      '/ws/bom.xml': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]),
    })
    expect(jobsOf({ [Inputs.JobFile]: 'plain.xml\nbom.xml' }, fs)).toEqual([
      { kind: 'xml', xml, file: 'plain.xml' },
      { kind: 'xml', xml, file: 'bom.xml' },
    ])
  })

  it.each([['le' as const], ['be' as const]])(
    'reads UTF-16 %s with a byte order mark, and makes its declaration say utf-8',
    (order) => {
      const body = `\n${titled('Région 東京')}\n`
      const fs = memoryFs({
        '/ws/double.xml': utf16(`<?xml version="1.0" encoding="UTF-16"?>${body}`, order),
        '/ws/single.xml': utf16(`<?xml version='1.0' encoding = 'utf-16${order}'?>${body}`, order),
        '/ws/none.xml': utf16(body.trimStart(), order),
      })
      expect(jobsOf({ [Inputs.JobFile]: 'double.xml\nsingle.xml\nnone.xml' }, fs)).toEqual([
        { kind: 'xml', file: 'double.xml', xml: `<?xml version="1.0" encoding="utf-8"?>${body}` },
        { kind: 'xml', file: 'single.xml', xml: `<?xml version='1.0' encoding = 'utf-8'?>${body}` },
        { kind: 'xml', file: 'none.xml', xml: body.trimStart() },
      ])
    },
  )

  it('leaves the encoding named in a UTF-8 file alone', () => {
    const xml = `<?xml version="1.0" encoding="windows-1252"?>${job()}`
    expect(jobsOf({ [Inputs.JobFile]: 'a.xml' }, memoryFs({ '/ws/a.xml': xml }))).toEqual([
      { kind: 'xml', xml, file: 'a.xml' },
    ])
  })

  it('refuses UTF-16 without a byte order mark, and text that is not UTF-8, naming the file', () => {
    const fs = memoryFs({
      '/ws/utf16.xml': Buffer.from(job(), 'utf16le'),
      '/ws/latin1.xml': Buffer.from(job('<a>R\xe9gion</a>'), 'latin1'),
    })
    expect(problemsOf({ [Inputs.JobFile]: 'utf16.xml\nlatin1.xml' }, fs)).toEqual([
      "Cannot read job-file 'utf16.xml': it holds NUL bytes: it is not UTF-8 text (UTF-16 needs a byte order mark: save it as UTF-8).",
      "Cannot read job-file 'latin1.xml': it is not valid UTF-8 text: save it as UTF-8.",
    ])
  })

  it('refuses a NUL byte far into a UTF-8 file', () => {
    const fs = memoryFs({ '/ws/a.xml': job(`<a>${'x'.repeat(2000)}\u0000</a>`) })
    expect(problemsOf({ [Inputs.JobFile]: 'a.xml' }, fs)).toEqual([
      expect.stringMatching(
        /^job-file 'a\.xml': The job XML is not well-formed \(line 1, column \d+\): a control character/,
      ),
    ])
  })

  it('reports a job file with the wrong root, naming the file', () => {
    expect(
      problemsOf({ [Inputs.JobFile]: 'job.xml' }, memoryFs({ '/ws/job.xml': '<Job/>' })),
    ).toEqual([
      `job-file 'job.xml': The job XML's root element is not <as:Job xmlns:as="urn:tibco:spotfire.dxp.automation">.`,
    ])
  })

  it('reports malformed job-xml with where it is', () => {
    expect(
      problemsOf({
        [Inputs.JobXml]:
          '<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation">\n<as:Tasks>\n</as:Job>',
      }),
    ).toEqual([
      expect.stringMatching(/^job-xml: The job XML is not well-formed \(line 3, column 1\)/),
    ])
  })

  it('reports every bad file at once', () => {
    const fs = memoryFs({
      '/ws/ok.xml': job(),
      '/ws/bad1.xml': '<as:Job>',
      '/ws/bad2.xml': job('<a>&</a>'),
      '/ws/empty.xml': '',
    })
    expect(
      problemsOf({ [Inputs.JobFile]: 'ok.xml\nbad1.xml\nmissing.xml\nbad2.xml\nempty.xml' }, fs),
    ).toEqual([
      expect.stringMatching(/^job-file 'bad1\.xml': The job XML is not well-formed/),
      expect.stringMatching(/^Cannot read job-file 'missing\.xml': no such file/),
      expect.stringMatching(
        /^job-file 'bad2\.xml': The job XML is not well-formed \(line 1, column/,
      ),
      "job-file 'empty.xml': The job XML is empty.",
    ])
  })
})

describe('job files: contents are never echoed', () => {
  const secretJobs: Record<string, string> = {
    'unclosed.xml': `<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation">\n  <Password>${FAKE_SECRET}\n</as:Job>`,
    'amp.xml': job(`<a>${FAKE_SECRET} & more</a>`),
    'bad-tag.xml': job(`<${FAKE_SECRET} x/>`),
    'bad-attr.xml': job(`<a key=${FAKE_SECRET}/>`),
    'root.xml': `<${FAKE_SECRET} xmlns="urn:x"/>`,
    'text.xml': `${FAKE_SECRET}\n`,
    'trailing.xml': `${job()}\n${FAKE_SECRET}`,
    'reference.xml': job(`<a>\${ ${FAKE_SECRET}}</a>`),
    'unterminated.xml': job(`<a>\${${FAKE_SECRET}</a>`),
    'doctype.xml': `<!DOCTYPE x [<!ENTITY a "${FAKE_SECRET}"]>${job()}`,
    'binary.xml': `\u0000${FAKE_SECRET}`,
  }

  it('names the file and a place in every problem, and never the secret in the file', () => {
    const files: Record<string, string> = {}
    for (const [name, text] of Object.entries(secretJobs)) files[`/ws/${name}`] = text
    const error = inputErrorOf(
      { ...BASE, [Inputs.JobFile]: Object.keys(secretJobs).join('\n') },
      memoryFs(files),
    )
    expect(error.problems).toHaveLength(Object.keys(secretJobs).length)
    for (const [index, name] of Object.keys(secretJobs).entries()) {
      expect(error.problems[index]).toContain(`'${name}'`)
    }
    for (const problem of error.problems) {
      expect(problem).not.toContain(FAKE_SECRET)
      expect(problem).not.toContain('Password')
      expect(problem).not.toMatch(STACK)
    }
    expect(error.message).not.toContain(FAKE_SECRET)
    // A place for every problem but the wrong root and the undecodable file.
    expect(
      error.problems.filter((p) => !/ at line \d+, column \d+| \(line \d+, column \d+\)/.test(p)),
    ).toEqual([expect.stringContaining("'root.xml'"), expect.stringContaining("'binary.xml'")])
  })

  it('does not echo the job-xml input either', () => {
    for (const text of Object.values(secretJobs)) {
      const problems = problemsOf({ [Inputs.JobXml]: text })
      expect(problems).toEqual([expect.stringMatching(/^job-xml: /)])
      expect(problems[0]).not.toContain(FAKE_SECRET)
    }
  })
})

describe('variables', () => {
  it('substitutes variables into job-xml and every job file, escaped', () => {
    const fs = memoryFs({
      '/ws/a.xml': JOB_WITH_REGION,
      '/ws/b.xml': job('<a>${REGION}/${YEAR}</a>'),
    })
    const jobs = jobsOf(
      {
        [Inputs.JobXml]: JOB_WITH_REGION,
        [Inputs.JobFile]: 'a.xml\nb.xml',
        [Inputs.Variables]: '# where\nREGION=R&D <West>\nYEAR=2024',
      },
      fs,
    )
    expect(jobs).toEqual([
      { kind: 'xml', xml: JOB_WITH_REGION.replace('${REGION}', 'R&amp;D &lt;West&gt;').trim() },
      {
        kind: 'xml',
        xml: JOB_WITH_REGION.replace('${REGION}', 'R&amp;D &lt;West&gt;'),
        file: 'a.xml',
      },
      { kind: 'xml', xml: job('<a>R&amp;D &lt;West&gt;/2024</a>'), file: 'b.xml' },
    ])
  })

  it('writes $${ as a literal ${ and needs no variables for it', () => {
    expect(jobsOf({ [Inputs.JobXml]: job('<a>$${HOME}</a>') })).toEqual([
      { kind: 'xml', xml: job('<a>${HOME}</a>') },
    ])
  })

  it('checks the XML after substitution', () => {
    expect(
      jobsOf({ [Inputs.JobXml]: job('<a x="${V}"/>'), [Inputs.Variables]: 'V=say "hi" & <bye>' }),
    ).toEqual([{ kind: 'xml', xml: job('<a x="say &quot;hi&quot; &amp; &lt;bye&gt;"/>') }])
  })

  it('reports an undefined variable in each job that uses it, naming the job', () => {
    const fs = memoryFs({ '/ws/a.xml': JOB_WITH_REGION, '/ws/b.xml': job() })
    expect(
      problemsOf(
        {
          [Inputs.JobXml]: JOB_WITH_REGION,
          [Inputs.JobFile]: 'a.xml\nb.xml',
          [Inputs.Variables]: 'OTHER=1',
        },
        fs,
      ),
    ).toEqual([
      expect.stringMatching(
        /^job-xml: The job uses variable 'REGION' but variables does not define it/,
      ),
      expect.stringMatching(/^job-file 'a\.xml': The job uses variable 'REGION' but variables/),
    ])
  })

  it('reports a malformed reference with its line and column, not its text', () => {
    const xml = `<as:Job xmlns:as="urn:tibco:spotfire.dxp.automation">\n  <a>\${${FAKE_SECRET}</a>\n</as:Job>`
    const problems = problemsOf({ [Inputs.JobXml]: xml })
    expect(problems).toEqual([
      'job-xml: The job has a ${ that is not a variable reference at line 2, column 6. Expected ${NAME} with NAME of letters, digits and _, or $${ for a literal ${.',
    ])
  })

  it('reports bad variables lines by number, without echoing them', () => {
    const problems = problemsOf({
      [Inputs.JobXml]: JOB_WITH_REGION,
      [Inputs.Variables]: `REGION=EMEA\nTOKEN ${FAKE_SECRET}\n9X=${FAKE_SECRET}`,
    })
    expect(problems).toEqual([
      expect.stringMatching(/^Invalid variables line 2\. Expected NAME=value/),
      expect.stringMatching(/^Invalid variables line 3\. Expected NAME=value/),
    ])
    for (const problem of problems) expect(problem).not.toContain(FAKE_SECRET)
  })

  it.each([
    [Inputs.LibraryPath, '/Jobs/A'],
    [Inputs.LibraryId, LIBRARY_ID],
    [Inputs.JobId, JOB_ID],
  ])('reports variables given with only %s jobs', (input, value) => {
    expect(problemsOf({ [input]: value, [Inputs.Variables]: 'A=1' })).toEqual([
      expect.stringMatching(/^variables applies only to job-xml and job-file/),
    ])
  })

  it('accepts variables beside library jobs when there is job XML too', () => {
    expect(
      jobsOf({
        [Inputs.LibraryPath]: '/Jobs/A',
        [Inputs.JobXml]: JOB_WITH_REGION,
        [Inputs.Variables]: 'REGION=EMEA',
      }),
    ).toHaveLength(2)
  })

  it('accepts a variables input of only comments beside library jobs', () => {
    expect(
      jobsOf({ [Inputs.LibraryPath]: '/Jobs/A', [Inputs.Variables]: '# none\n\n' }),
    ).toHaveLength(1)
  })

  it('reports variables lines even beside library jobs', () => {
    expect(problemsOf({ [Inputs.LibraryPath]: '/Jobs/A', [Inputs.Variables]: 'oops' })).toEqual([
      expect.stringMatching(/^Invalid variables line 1\./),
    ])
  })
})

describe('job sources on a real workspace', () => {
  it('reads a nested workspace layout end to end', () => {
    const workspace = tempTree({ 'ci/jobs/refresh.xml': JOB_WITH_REGION })
    mkdirSync(join(workspace, 'ci/jobs/empty'))
    const { jobs } = getSettings(
      diskSource(workspace, {
        [Inputs.LibraryPath]: '/Jobs/A',
        [Inputs.JobFile]: 'ci/jobs/**/*.xml',
        [Inputs.Variables]: 'REGION=EMEA',
      }),
    )
    expect(jobs).toEqual([
      { kind: 'library-path', path: '/Jobs/A' },
      {
        kind: 'xml',
        file: 'ci/jobs/refresh.xml',
        xml: JOB_WITH_REGION.replace('${REGION}', 'EMEA'),
      },
    ])
  })

  it('uses the workspace, not the current directory', () => {
    const workspace = tempTree({ 'only-here.xml': job() })
    expect(
      getSettings(diskSource(workspace, { [Inputs.JobFile]: 'only-here.xml' })).jobs,
    ).toHaveLength(1)
    expect(() =>
      getSettings({ ...diskSource(WORKSPACE, { [Inputs.JobFile]: 'only-here.xml' }) }),
    ).toThrow(InputError)
  })
})
