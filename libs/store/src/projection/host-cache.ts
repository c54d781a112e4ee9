import type { ProjectedHost } from './projected-host';

/**
 * The hosts the projector has folded, least recently used first out. Evicting is always safe:
 * a host not here is rebuilt from `event_log`, so the bound trades memory for reload queries.
 */
export class HostCache {
  private readonly hosts = new Map<string, ProjectedHost>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.hosts.size;
  }

  get(hostId: string): ProjectedHost | undefined {
    const host = this.hosts.get(hostId);
    if (host !== undefined) {
      this.hosts.delete(hostId);
      this.hosts.set(hostId, host);
    }
    return host;
  }

  has(hostId: string): boolean {
    return this.hosts.has(hostId);
  }

  set(hostId: string, host: ProjectedHost): void {
    this.hosts.delete(hostId);
    this.hosts.set(hostId, host);
    for (const oldest of this.hosts.keys()) {
      if (this.hosts.size <= this.capacity) break;
      this.hosts.delete(oldest);
    }
  }

  delete(hostId: string): void {
    this.hosts.delete(hostId);
  }

  /** Forgets the hosts of one partition (another instance may have moved it on). */
  dropPartition(partition: number): void {
    for (const [hostId, host] of this.hosts) if (host.partition === partition) this.hosts.delete(hostId);
  }

  clear(): void {
    this.hosts.clear();
  }
}
