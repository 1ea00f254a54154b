import * as core from '@actions/core'
import { Inputs } from '../shared/constants.js'
import { ABORT_BECAUSE, type AbortWhy } from '../jobs/outcome.js'
import type { Secrets } from '../shared/secrets.js'
import type { SettingsSource } from '../settings/index.js'
import type { Logger } from '../spotfire/types.js'
import { defuse } from '../shared/workflow-commands.js'

/**
 * The runner's side of the action: its inputs, its log and its masks. Lines go through `defuse`
 * (core.info prints them raw) and the redaction. Core escapes the line breaks of annotations and
 * debug lines, not the `##vso[` that another agent watching a self-hosted runner would act on.
 */
export function runnerLogger(secrets: Secrets): Logger {
  return {
    debug: (message) => {
      core.debug(defuse(secrets.redact(message)))
    },
    info: (message) => {
      core.info(defuse(secrets.redact(message)))
    },
    warning: (message) => {
      core.warning(defuse(secrets.redact(message)))
    },
  }
}

/**
 * Masks the client secret (and the Basic credential made with it) before anything else runs, so
 * that not even a validation message can print it.
 */
export function maskClient(secrets: Secrets): void {
  const secret = core.getInput(Inputs.ClientSecret)
  if (secret === '') return
  secrets.addClient(core.getInput(Inputs.ClientId), secret)
  core.setSecret(secret)
}

/** Masks each token the moment it is received. */
export function maskToken(secrets: Secrets, token: string): void {
  core.setSecret(token)
  secrets.add(token)
}

/** The runner's variable for an input: `INPUT_` + the name in upper case, spaces as _. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** Settings read the runner's INPUT_* variables; files are relative to the workspace. */
export function actionInputs(env = process.env): SettingsSource {
  const known = new Set(Object.values(Inputs).map(inputVariable))
  return {
    input: (name) => core.getInput(name),
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    whyEmpty: (input) =>
      input === Inputs.ClientSecret
        ? 'If the workflow passes it from a secret, that secret is empty here: secrets are not passed to workflows run from forks or by Dependabot, and the secrets of an environment need `environment:` on the job.'
        : undefined,
    unknownInputs: () =>
      Object.entries(env).flatMap(([variable, value]) =>
        variable.startsWith('INPUT_') && !known.has(variable)
          ? [{ name: variable.slice('INPUT_'.length).toLowerCase(), value: value ?? '' }]
          : [],
      ),
  }
}

/**
 * The abort reason the server records: names the workflow run, so people can find who stopped it.
 * The server echoes it after its own word ("Aborted: …"), so it does not say "aborted" again.
 */
export function abortReason(why: AbortWhy, env = process.env): string {
  const run =
    env.GITHUB_RUN_ID === undefined
      ? 'A GitHub Actions run'
      : `GitHub Actions run ${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY ?? ''}/actions/runs/${env.GITHUB_RUN_ID}`
  return `${run} (workflow '${env.GITHUB_WORKFLOW ?? ''}', job '${env.GITHUB_JOB ?? ''}') ${ABORT_BECAUSE[why]}.`
}
