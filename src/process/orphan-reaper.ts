/**
 * Reaps children still running when their reactor stopped watching them (shut down or closed).
 * Twisted leaves such children running, and so do we; but once one exits, somebody must wait
 * for it or it stays a zombie until this process ends. Their exit watchers come here: an unref'd
 * timer (it never keeps Node alive) looks at each with a non-blocking reap, more and more
 * rarely, and closes each watcher once its child is reaped. Per environment, as every module
 * instance is: a worker's orphans are its own. When the environment ends first (a worker
 * terminated or exited), its cleanup hook hands the orphans still here to the addon's
 * process-wide reaper (native/orphan_reaper.h). Internal to the package.
 */

/** What the reaper asks of an exit watcher it was handed. */
export interface Orphan {
  /** Reaps the child if it has exited, closing the watcher; true once done (exited or unreapable). */
  reapIfExited(): boolean;
}

const FIRST_LOOK_MS = 10;
const LONGEST_WAIT_MS = 250;

const orphans = new Set<Orphan>();
let timer: NodeJS.Timeout | undefined;
let wait = FIRST_LOOK_MS;

/** Takes `orphan` in: it is looked at until its child has been reaped. */
export function adoptOrphan(orphan: Orphan): void {
  orphans.add(orphan);
  wait = FIRST_LOOK_MS; // a new orphan may be about to exit: look soon again
  schedule();
}

function schedule(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = setTimeout(look, wait);
  timer.unref();
}

function look(): void {
  timer = undefined;
  for (const orphan of orphans) if (orphan.reapIfExited()) orphans.delete(orphan);
  if (orphans.size === 0) return;
  wait = Math.min(wait * 2, LONGEST_WAIT_MS);
  schedule();
}
