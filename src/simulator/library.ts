import type { LibraryItem, Lifecycle } from './types.js'

/** Time-based, so a demo against the simulator looks like a real server at work. */
export const SAMPLE_LIBRARY: readonly LibraryItem[] = [
  {
    path: '/Samples/Refresh sales',
    id: '6f1c2a4e-8b3d-4e7a-9c15-2d4b8e0f7a31',
    lifecycle: {
      phases: [
        { status: 'Queued', ms: 1000 },
        { status: 'InProgress', ms: 2000 },
      ],
      final: { status: 'Finished', message: '' },
    },
  },
  {
    path: '/Samples/Failing export',
    id: '3a9e5d27-1f64-4b8c-a0d2-7c3e9b5f1e48',
    lifecycle: {
      phases: [
        { status: 'Queued', ms: 500 },
        { status: 'InProgress', ms: 1000 },
      ],
      final: {
        status: 'Failed',
        message: "Task 1 'Export Data to File' failed with: No analysis loaded.",
      },
    },
  },
  {
    path: '/Samples/Never ends',
    id: 'c4b7f0e2-5d18-4a96-8e3b-9f2a6d1c0b75',
    lifecycle: { phases: [{ status: 'InProgress' }], final: { status: 'Finished' } },
  },
]

export const DEFAULT_INLINE_LIFECYCLE: Lifecycle = {
  phases: [
    { status: 'Queued', ms: 1000 },
    { status: 'InProgress', ms: 2000 },
  ],
  final: { status: 'Finished', message: '' },
}

/** The id wins when both are given, as on the real server. */
export function findLibraryItem(
  library: readonly LibraryItem[],
  query: { path?: string; id?: string },
): LibraryItem | undefined {
  if (query.id !== undefined) {
    const id = query.id.toLowerCase()
    return library.find((item) => item.id.toLowerCase() === id)
  }
  return library.find((item) => item.path === query.path)
}
