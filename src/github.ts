import * as core from '@actions/core'
import { Inputs } from './constants.js'
import type { Logger } from './logger.js'
import type { StopReason } from './run-job.js'

/** The Logger the client and the loop use, on the runner. */
export const coreLogger: Logger = {
  debug: (message) => {
    core.debug(message)
  },
  info: (message) => {
    core.info(message)
  },
  warning: (message) => {
    core.warning(message)
  },
}

/** Masks the client secret before anything else runs, so that not even a validation message can print it. */
export function maskClientSecret(): void {
  const secret = core.getInput(Inputs.ClientSecret)
  if (secret !== '') core.setSecret(secret)
}

/** Masks each token the moment it is received. */
export function maskToken(token: string): void {
  core.setSecret(token)
}

/** Settings read the runner's INPUT_* variables; files are relative to the workspace. */
export function actionInputs(): { input(name: string): string; workspace: string } {
  return {
    input: (name) => core.getInput(name),
    workspace: process.env.GITHUB_WORKSPACE ?? process.cwd(),
  }
}

/** The abort reason the server records: names the workflow run, so people can find who stopped it. */
export function abortReason(why: StopReason, env = process.env): string {
  const run =
    env.GITHUB_RUN_ID === undefined
      ? 'a GitHub Actions run'
      : `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY ?? ''}/actions/runs/${env.GITHUB_RUN_ID}`
  const because =
    why === 'timeout'
      ? 'timed out waiting'
      : why === 'cancelled'
        ? 'was cancelled'
        : 'lost contact with the job'
  return `Aborted by ${run} (workflow '${env.GITHUB_WORKFLOW ?? ''}', job '${env.GITHUB_JOB ?? ''}'), which ${because}.`
}
