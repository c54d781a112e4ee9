import type { DerivedState, HostView } from '@klp/contracts';

/**
 * The dashboard's only way to the api: REST under /v1 with the operator's bearer token. Kept free
 * of the DOM (fetch only) so the pure parts can be unit-tested under Node.
 */

export const STATES: readonly DerivedState[] = ['disabled', 'enabled', 'transition', 'patched'];

export type PatchRollup = Record<string, Record<DerivedState, number>>;

export interface HostSummary {
  hostId: string;
  version: number;
  kernelRelease: string | null;
  transition: { patch: string; target: string; pendingTasks: number | null; since: string | null } | null;
  patches: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TransitionSummary {
  hostId: string;
  patch: string;
  target: string;
  since: string;
  runningForMs: number;
  pendingTasks: number | null;
  blockingTasks: { pid: number; comm: string; function?: string }[];
}

export interface AuditRecord {
  hostId: string;
  version: number;
  index: number;
  at: string;
  actor: string;
  commandId: string;
  commandType: string;
  entity: { kind: string; patch?: string; object?: string; func?: string };
  attribute: string;
  from: unknown;
  to: unknown;
  errno?: string;
  hash: string;
}

export interface VerifyResult {
  hostId: string;
  records: number;
  ok: boolean;
  firstBrokenVersion?: number;
}

export type CommandAnswer =
  | { status: 'accepted'; commandId: string; hostId: string; version: number }
  | { status: 'rejected'; commandId: string; errno: string; reason: string }
  | { status: 'pending'; commandId: string }
  | { status: 'error'; httpStatus: number; reason: string };

export type { HostView };

/** A non-2xx answer; `status` 0 means the api could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Query string from the non-empty values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function reasonOf(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    const { reason, error } = body as { reason?: unknown; error?: unknown };
    if (typeof reason === 'string') return reason;
    if (typeof error === 'string') return error;
  }
  return fallback;
}

export class Api {
  constructor(
    readonly token: string,
    private readonly base = '',
  ) {}

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.token}`);
    try {
      return await fetch(`${this.base}${path}`, { ...init, headers });
    } catch (error) {
      throw new ApiError(0, `the api did not answer (${(error as Error).message})`);
    }
  }

  async get<T>(path: string): Promise<T> {
    const response = await this.request(path);
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw new ApiError(response.status, reasonOf(body, response.statusText));
    return body as T;
  }

  patches = () => this.get<PatchRollup>('/v1/patches');
  hosts = (filter: Record<string, string | undefined>, cursor?: string | null) =>
    this.get<Page<HostSummary>>(`/v1/hosts${query({ ...filter, limit: 25, cursor })}`);
  host = (hostId: string) => this.get<HostView>(`/v1/hosts/${encodeURIComponent(hostId)}`);
  transitions = (olderThan: string) =>
    this.get<{ items: TransitionSummary[] }>(`/v1/transitions${query({ olderThan, limit: 200 })}`);
  audit = (filter: Record<string, string | undefined>, cursor?: string | null, limit = 50) =>
    this.get<Page<AuditRecord>>(`/v1/audit${query({ ...filter, limit, cursor })}`);
  verify = (hostId: string) => this.get<VerifyResult>(`/v1/audit/verify${query({ hostId })}`);

  /** Every audit record matching the filter, oldest first, as the api streams it. */
  async auditNdjson(filter: Record<string, string | undefined>): Promise<string> {
    const response = await this.request(`/v1/audit${query(filter)}`, {
      headers: { accept: 'application/x-ndjson' },
    });
    if (!response.ok) throw new ApiError(response.status, `export failed (${response.status})`);
    return response.text();
  }

  /** An operator command, answered once the read model shows its outcome. */
  async command(hostId: string, type: string, payload: object, commandId: string): Promise<CommandAnswer> {
    const response = await this.request('/v1/commands?wait=true&timeoutMs=30000', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ commandId, hostId, type, payload }),
    });
    const body: unknown = await response.json().catch(() => undefined);
    const status = (body as { status?: unknown } | undefined)?.status;
    if (status === 'accepted' || status === 'rejected' || status === 'pending') return body as CommandAnswer;
    return { status: 'error', httpStatus: response.status, reason: reasonOf(body, response.statusText) };
  }
}
