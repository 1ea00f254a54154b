import { runPostStep } from './action/post-step.js'

await runPostStep()
