// The tiny task both pools run in bench/workers/run.js: its cost is almost all pool overhead.
// It takes one argument, a pair, because piscina passes its task as a single value.
export function add(pair) {
  return pair[0] + pair[1];
}
