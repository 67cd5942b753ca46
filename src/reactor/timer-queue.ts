/** What the timer queue keeps of each delayed call. */
export interface TimerEntry {
  /** Absolute deadline in seconds on the reactor's clock. */
  time: number;
  /** Scheduling sequence: later schedules (and reschedules) sort after earlier ones. */
  seq: number;
  /** Position in the heap, -1 when not queued. */
  heapIndex: number;
}

/**
 * The reactor's pending delayed calls: an indexed binary min-heap ordered by (deadline,
 * scheduling sequence), so ties run in the order they were scheduled, and cancel / reset /
 * delay cost O(log n) with no stale entries left behind. 100 000 pending calls cost nothing
 * while idle: only the earliest deadline is handed to Node's loop.
 * @internal
 */
export class TimerQueue<T extends TimerEntry> {
  private readonly heap: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  peek(): T | undefined {
    return this.heap[0];
  }

  /** The sequence number the next push will get: calls scheduled from now on are "new". */
  get sequence(): number {
    return this.nextSeq;
  }

  push(entry: T): void {
    entry.seq = this.nextSeq++;
    entry.heapIndex = this.heap.length;
    this.heap.push(entry);
    this.up(entry.heapIndex);
  }

  remove(entry: T): void {
    const i = entry.heapIndex;
    if (i < 0) return;
    const last = this.heap.pop()!;
    entry.heapIndex = -1;
    if (last !== entry) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
  }

  /** Re-queues an entry whose time changed; it counts as newly scheduled for tie-breaking. */
  reschedule(entry: T): void {
    this.remove(entry);
    this.push(entry);
  }

  pop(): T | undefined {
    const top = this.heap[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Every queued entry, in no particular order. */
  entries(): T[] {
    return this.heap.slice();
  }

  clear(): void {
    for (const e of this.heap) e.heapIndex = -1;
    this.heap.length = 0;
  }

  private less(a: T, b: T): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private up(i: number): void {
    const heap = this.heap;
    const entry = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(entry, heap[parent])) break;
      heap[i] = heap[parent];
      heap[i].heapIndex = i;
      i = parent;
    }
    heap[i] = entry;
    entry.heapIndex = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const entry = heap[i];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.less(heap[child + 1], heap[child])) child++;
      if (!this.less(heap[child], entry)) break;
      heap[i] = heap[child];
      heap[i].heapIndex = i;
      i = child;
    }
    heap[i] = entry;
    entry.heapIndex = i;
  }
}
