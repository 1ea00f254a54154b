import { shown } from '../spotfire/text.js'
import type { CallContext } from '../spotfire/token.js'
import type { Logger } from '../spotfire/types.js'
import type { LibraryPort } from './library-port.js'
import { parentOf, type PlannedFolder } from './plan.js'

/**
 * The folders of a plan, made when an upload first needs them: parents first, each once however
 * many files go into it (uploads asking at the same moment share one request). A folder someone
 * else makes meanwhile is the library client's business: its createFolder answers that one.
 */
export class Folders {
  private readonly ids = new Map<string, Promise<string>>()

  constructor(
    folders: readonly PlannedFolder[],
    private readonly library: LibraryPort,
    private readonly logger: Logger,
  ) {
    for (const folder of folders) {
      if (folder.id !== undefined) this.ids.set(folder.path, Promise.resolve(folder.id))
    }
  }

  /** The id of the folder at `path`, made (with any missing above it) if need be. */
  idOf(path: string, context: CallContext): Promise<string> {
    let id = this.ids.get(path)
    if (id === undefined) {
      id = this.make(path, context)
      // A failure is not kept: the next upload that needs the folder may try again.
      id.catch(() => {
        this.ids.delete(path)
      })
      this.ids.set(path, id)
    }
    return id
  }

  private async make(path: string, context: CallContext): Promise<string> {
    // The plan holds the root's id; without it there is nothing to make folders in.
    if (path === '/') throw new Error('The library root folder was not looked up.')
    const parentPath = parentOf(path)
    const parentId = await this.idOf(parentPath, context)
    const title = path.slice(path.lastIndexOf('/') + 1)
    const folder = await this.library.createFolder(parentPath, parentId, title, context)
    this.logger.info(`Created the library folder ${shown(path, 300)}`)
    return folder.id
  }
}
