/**
 * The product's version, as package.json gives it (a unit test holds the two together): the CLI's
 * and the simulator's --version, the action's first log line, and the User-Agent of every request.
 */
export const VERSION = '1.0.0'
