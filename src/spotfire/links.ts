/**
 * A library item's page in the Spotfire web UI. The form is the one the Automation Services API
 * reference documents for TaskExecutionContext.CreateLibraryLink (Spotfire 11.8 to 14.4):
 * `{server}/spotfire/library?guid=<item id>`. It takes an item's id (GUID): a library path has no
 * documented link form, so none is made up for one.
 */
export function libraryItemUrl(serverUrl: string, itemId: string): string {
  return `${serverUrl}/spotfire/library?guid=${encodeURIComponent(itemId)}`
}
