// A Node --import preload that makes the wall clock jump once, as NTP or a suspended VM can on a
/* global performance */
// runner, so that dist/ runs unmodified while its wall clock jumps:
//   WALL_CLOCK_JUMP="<afterMs>:<deltaMs>" node --import ./wall-clock-jump.mjs dist/index.js
// Once afterMs of real time have passed (measured by performance.now(), which is left alone),
// Date.now(), new Date() and Date() read deltaMs later (earlier when negative). Dates built from
// a value, Date.parse and Date.UTC are unchanged.
const spec = process.env.WALL_CLOCK_JUMP
if (spec !== undefined && spec !== '') {
  const match = /^(\d+):([+-]?\d+)$/.exec(spec)
  if (match === null) {
    process.stderr.write(
      `WALL_CLOCK_JUMP must be <afterMs>:<deltaMs>, e.g. 2000:-3600000, not '${spec}'.\n`,
    )
    process.exit(2)
  }
  const afterMs = Number(match[1])
  const deltaMs = Number(match[2])
  const RealDate = globalThis.Date
  const realNow = RealDate.now
  const began = performance.now()
  const now = () => realNow() + (performance.now() - began >= afterMs ? deltaMs : 0)

  function Date(...args) {
    if (new.target === undefined) return new RealDate(now()).toString()
    return Reflect.construct(RealDate, args.length === 0 ? [now()] : args, new.target)
  }
  // Every Date, made before or after the preload, is still `instanceof Date`.
  Date.prototype = RealDate.prototype
  Date.now = now
  Date.parse = RealDate.parse
  Date.UTC = RealDate.UTC
  Object.defineProperty(Date, 'length', { value: RealDate.length })
  globalThis.Date = Date
}
