/**
 * Deliveries already handled, by GitHub's delivery id (`x-github-delivery`), so a redelivered
 * event does nothing twice. GitHub keeps the id when an event is redelivered.
 *
 * A delivery is claimed when it arrives, kept when its handler succeeded and released when it
 * failed, so redelivering a failed event (from the app's settings page) tries it again.
 *
 * This store lives in one process. Several replicas behind a load balancer need a shared
 * store with the same three calls (e.g. Redis `SET id 1 NX EX 86400`) or routing that sends
 * a delivery id to the same replica.
 */
export interface DeliveryStore {
  /** True when the delivery is new (and is now claimed); false when it was seen before. */
  claim(id: string): boolean;
  /** The delivery was handled: a redelivery is ignored. */
  complete(id: string): void;
  /** The delivery failed: a redelivery is handled again. */
  release(id: string): void;
}

/** In-memory store of the latest `capacity` delivery ids (oldest forgotten first). */
export class MemoryDeliveryStore implements DeliveryStore {
  private readonly seen = new Map<string, "claimed" | "done">();

  constructor(private readonly capacity = 10_000) {}

  claim(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.set(id, "claimed");
    while (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
    return true;
  }

  complete(id: string): void {
    if (this.seen.has(id)) this.seen.set(id, "done");
  }

  release(id: string): void {
    this.seen.delete(id);
  }
}
