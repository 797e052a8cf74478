/**
 * A fixed-capacity list that drops its oldest items: the live tail keeps the newest lines only,
 * so memory and the list's length stay bounded however long it runs.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private size = 0;
  /** Items pushed out by newer ones since the start (a clear does not count). */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be ≥ 1');
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    if (this.size < this.capacity) {
      this.items[(this.head + this.size) % this.capacity] = item;
      this.size++;
      return;
    }
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    this.dropped++;
  }

  /** The i-th oldest item (0 is the oldest kept). */
  get(index: number): T {
    if (index < 0 || index >= this.size) throw new RangeError(`index ${index} out of range`);
    return this.items[(this.head + index) % this.capacity] as T;
  }

  /** Index of the first item (oldest first) for which `test` holds, or -1. */
  findIndex(test: (item: T) => boolean): number {
    for (let i = 0; i < this.size; i++) if (test(this.get(i))) return i;
    return -1;
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.size = 0;
  }
}
