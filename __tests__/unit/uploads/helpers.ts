import { Inputs } from '../../../src/shared/constants.js'
import { getSettings, type Settings } from '../../../src/settings/index.js'
import { inputWords, type Logger } from '../../../src/spotfire/types.js'
import type { UploadRunContext } from '../../../src/uploads/run-uploads.js'
import { FakeClock } from '../fake-clock.js'
import { diskSource, tempTree } from '../settings/helpers.js'
import { FakeLibrary } from './fake-library.js'

export interface UploadHarness {
  settings: Settings
  library: FakeLibrary
  clock: FakeClock
  lines: string[]
  ctx: UploadRunContext
}

/**
 * A real workspace holding `files`, settings read from it with `lines` as library-upload, a fake
 * library and a fake clock; chunks of `chunkBytes`.
 */
export function harness(
  files: Record<string, string | Buffer>,
  lines: string,
  options: { overwrite?: boolean; chunkBytes?: number; timeoutMs?: number } = {},
): UploadHarness {
  const workspace = tempTree(files)
  const settings = getSettings(
    diskSource(workspace, {
      [Inputs.LibraryUpload]: lines,
      [Inputs.LibraryOverwrite]: String(options.overwrite ?? false),
    }),
  )
  const clock = new FakeClock()
  const library = new FakeLibrary()
  const logged: string[] = []
  const logger: Logger = {
    debug: () => undefined,
    info: (m) => logged.push(m),
    warning: (m) => logged.push(`warning: ${m}`),
  }
  return {
    settings,
    library,
    clock,
    lines: logged,
    ctx: {
      library,
      clock,
      logger,
      deadline: clock.now() + (options.timeoutMs ?? 30 * 60_000),
      random: () => 0.5,
      words: inputWords,
      chunkBytes: options.chunkBytes ?? 4,
    },
  }
}
