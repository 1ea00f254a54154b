import { describe, expect, it } from '@jest/globals'
import { SpotfireError } from '../../../src/spotfire/errors.js'
import { describePlan, planUploads } from '../../../src/uploads/plan.js'
import { flagWords } from '../../../src/cli/cli.js'
import { harness } from './helpers.js'

const FILES = {
  'dist/New.dxp': 'new',
  'dist/Old.dxp': 'old content',
  'data/d.sbdf': 'x'.repeat(2048),
}
const LINES = 'dist/*.dxp -> /R/\ndata/d.sbdf -> /R/Data/2024/Sales'

describe('planUploads: what a run would do, changing nothing', () => {
  it('says would create, would replace, and which folders it would make', async () => {
    const h = harness(FILES, LINES, { overwrite: true })
    h.library.addFolder('/R')
    const id = h.library.addItem('/R/Old', 'spotfire.dxp', 'was')
    const planned = await planUploads(h.settings, h.library, { deadline: h.ctx.deadline })
    if (!planned.ok) throw new Error('the plan failed')
    expect(describePlan(planned.plan, h.ctx.words)).toEqual([
      'would create the folder /R/Data',
      'would create the folder /R/Data/2024',
      'would create /R/New (spotfire.dxp, 3 B from dist/New.dxp)',
      `would replace /R/Old (spotfire.dxp, 11 B from dist/Old.dxp), keeping its id ${id}`,
      'would create /R/Data/2024/Sales (spotfire.sbdf, 2.0 KiB from data/d.sbdf)',
    ])
    expect(h.library.calls.every((call) => call.startsWith('find '))).toBe(true)
    expect(h.library.jobs).toEqual([])
    expect(h.library.folderPaths()).toEqual(['/', '/R'])
  })

  it('says an item exists and library-overwrite is false, in the words of the command line', async () => {
    const h = harness(FILES, LINES)
    h.library.addFolder('/R')
    const id = h.library.addItem('/R/Old', 'spotfire.dxp', 'was')
    const planned = await planUploads(h.settings, h.library, { deadline: h.ctx.deadline })
    if (!planned.ok) throw new Error('the plan failed')
    expect(planned.plan.uploads.map((p) => p.action)).toEqual(['create', 'conflict', 'create'])
    expect(describePlan(planned.plan, flagWords)[3]).toBe(
      `/R/Old exists in the library (id ${id}), and --library-overwrite false. Set --library-overwrite true to replace it (it keeps its id).`,
    )
  })

  it('does not take an item of another type at the path for the one uploaded', async () => {
    const h = harness({ 'a.dxp': 'a' }, 'a.dxp -> /R/')
    h.library.addFolder('/R')
    h.library.addItem('/R/a', 'spotfire.sbdf', 'data')
    const planned = await planUploads(h.settings, h.library, { deadline: h.ctx.deadline })
    expect(planned.ok && planned.plan.uploads[0]?.action).toBe('create')
  })

  it('names the look-up that failed and the upload that needed it', async () => {
    const h = harness(FILES, LINES)
    h.library.addFolder('/R')
    const forbidden = new SpotfireError('HTTP 403 Forbidden', 'http', { status: 403 })
    h.library.callFault = (call) => (call === 'find /R/New' ? forbidden : undefined)
    const planned = await planUploads(h.settings, h.library, { deadline: h.ctx.deadline })
    expect(planned).toEqual({ ok: false, index: 0, path: '/R/New', error: forbidden })
  })
})
