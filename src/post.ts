import { runPostStep } from './post-step.js'

await runPostStep()
