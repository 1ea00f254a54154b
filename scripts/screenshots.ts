/**
 * `npm run screenshots`: runs dist/ against the simulator as the runner would, renders each job
 * summary as GitHub renders one (GitHub Flavored Markdown in a .markdown-body, GitHub's CSS), and
 * takes a screenshot with Debian's Chromium (apt-get install chromium) through playwright-core.
 * Writes docs/summary-*.png: what a user sees after one success, one failure, several jobs and a
 * release (uploads, then a job).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'
import { chromium } from 'playwright-core'
import { runStep } from '../src/demo/local-runner.js'
import { startSimulator, type LibraryItem, type Lifecycle } from '../src/simulator/index.js'

const ROOT = resolve(process.env.PROJECT_ROOT ?? process.cwd())
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'

const runs = (ms: number, status = 'Finished', message = ''): Lifecycle => ({
  phases: [
    { status: 'Queued', ms: 200 },
    { status: 'InProgress', ms },
  ],
  final: { status, message },
})

const LONG_FAILURE = [
  "Task 3 'Export Data to File' failed with: The data table 'Sales (EMEA)' could not be loaded.",
  'Spotfire.Dxp.Data.Exceptions.ImportException: Could not connect to the data source',
  "   at Spotfire.Dxp.Data.Import.DatabaseDataSource.Connect() <- 'sales-db.internal:5432'",
  '   at Spotfire.Dxp.Data.Import.DatabaseDataSource.Open()',
  'Check that the data source is up, and that the account *svc_spotfire* may read [sales].',
].join('\n')

const jobs: [string, Lifecycle][] = [
  ['/Reports/Sales/Refresh EMEA', runs(1800)],
  ['/Reports/Sales/Refresh APAC', runs(2600)],
  ['/Reports/Sales/Refresh Americas', runs(1200, 'Failed', LONG_FAILURE)],
  [
    '/Reports/Finance/Export KPIs',
    runs(900, 'Failed', "Task 1 'Export Data to File' failed with: No analysis loaded."),
  ],
  ['/Reports/Finance/Weekly digest', runs(60_000)],
]
const library: LibraryItem[] = jobs.map(([path, lifecycle], i) => ({
  path,
  id: `6f1c2a4e-8b3d-4e7a-9c15-${String(i + 1).padStart(12, '0')}`,
  lifecycle,
}))

const shots: {
  file: string
  inputs: Record<string, string>
  files?: Record<string, string | Buffer>
}[] = [
  { file: 'summary-success.png', inputs: { 'library-path': '/Reports/Sales/Refresh EMEA' } },
  { file: 'summary-failure.png', inputs: { 'library-path': '/Reports/Finance/Export KPIs' } },
  {
    file: 'summary-many-jobs.png',
    inputs: {
      'library-path': [
        '/Reports/Sales/Refresh EMEA',
        '/Reports/Sales/Refresh APAC',
        '/Reports/Sales/Refresh Americas',
        '/Reports/Sales/Refresh LATAM',
      ].join('\n'),
      // By id, so that its row links to the item in the library web UI.
      'library-id': library[4]?.id ?? '',
      'max-parallel': '3',
      timeout: '8s',
    },
  },
  {
    // A release: two analyses into the library (one new, one replacing its old version), then the
    // job that refreshes them.
    file: 'summary-deploy.png',
    inputs: {
      'library-upload': 'dist/*.dxp -> /Reports/Sales/',
      'library-overwrite': 'true',
      'library-path': '/Reports/Sales/Refresh EMEA',
    },
    files: {
      'dist/Sales EMEA.dxp': Buffer.alloc(2_400_000, 1),
      'dist/Sales forecast.dxp': Buffer.alloc(830_000, 2),
    },
  },
]

const require = createRequire(import.meta.url)
const css = readFileSync(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8')

function page(markdown: string): string {
  const body = micromark(markdown, {
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
    allowDangerousHtml: true,
  })
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>${css}
    body { background: #f6f8fa; margin: 0; padding: 24px; }
    .markdown-body { box-sizing: border-box; width: 980px; padding: 24px 32px; background: #fff;
      border: 1px solid #d0d7de; border-radius: 6px; }
  </style></head><body><article class="markdown-body">${body}</article></body></html>`
}

const sim = await startSimulator({
  library,
  libraryItems: [
    { path: '/Reports/Sales/Sales EMEA', type: 'spotfire.dxp', content: Buffer.from('old') },
  ],
})
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
})
try {
  for (const shot of shots) {
    const run = await runStep({
      entry: join(ROOT, 'dist', 'index.js'),
      inputs: {
        'server-url': sim.url,
        'client-id': 'demo-client',
        'client-secret': 'demo-secret',
        // The host a reader would see, not the simulator's port on loopback.
        ...shot.inputs,
      },
      ...(shot.files === undefined ? {} : { files: shot.files }),
    })
    const summary = run.summary.replaceAll(new URL(sim.url).host, 'spotfire.example.com')
    const tab = await browser.newPage({ deviceScaleFactor: 1 })
    await tab.setContent(page(summary))
    const out = join(ROOT, 'docs', shot.file)
    await tab.locator('.markdown-body').screenshot({ path: out })
    await tab.close()
    console.log(`${out}: the step exited ${String(run.exitCode)}`)
  }
} finally {
  await browser.close()
  await sim.close()
}
