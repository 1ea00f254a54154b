import { runMainStep } from './action/main-step.js'

await runMainStep()
