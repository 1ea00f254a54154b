import { runMainStep } from './main-step.js'

await runMainStep()
