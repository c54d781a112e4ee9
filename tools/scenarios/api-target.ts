import { isErrno, type HostView } from '@klp/contracts';
import type { ScenarioCommand, ScenarioTarget, SendResult } from '@klp/domain';

export interface ApiTargetOptions {
  /** e.g. `http://localhost:3000`; `/v1/...` is appended. */
  readonly baseUrl: string;
  readonly token: string;
  /** Defaults to Node's global fetch. */
  readonly fetch?: typeof fetch;
}

/** Thrown when an answer does not tell the outcome; the runner reports it as the step's failure. */
export class ApiTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiTargetError';
  }
}

const REJECTION_STATUSES = new Set([404, 409, 422]);

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describe(status: number, body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return `HTTP ${status}${text ? ` ${text.slice(0, 200)}` : ''}`;
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/**
 * Runs scenarios against a live stack (API.md): each command is `POST /v1/commands?wait=true`, each
 * view `GET /v1/hosts/{id}`. A 400 is the edge refusing a malformed command, which counts as EINVAL.
 */
export function apiTarget(options: ApiTargetOptions): ScenarioTarget {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const auth = { authorization: `Bearer ${options.token}` };

  return {
    async send(command: ScenarioCommand): Promise<SendResult> {
      const body = {
        commandId: command.commandId,
        hostId: command.hostId,
        type: command.type,
        payload: command.payload,
        ...(command.expectedVersion !== undefined ? { expectedVersion: command.expectedVersion } : {}),
      };
      const response = await doFetch(`${base}/v1/commands?wait=true`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = await bodyOf(response);
      if (response.status === 200 && field(answer, 'status') === 'accepted') return 'ok';
      if (response.status === 400) return 'EINVAL';
      const errno = field(answer, 'errno');
      if (
        REJECTION_STATUSES.has(response.status) &&
        field(answer, 'status') === 'rejected' &&
        isErrno(errno)
      ) {
        return errno;
      }
      throw new ApiTargetError(describe(response.status, answer));
    },

    async view(hostId: string): Promise<HostView | null> {
      const response = await doFetch(`${base}/v1/hosts/${encodeURIComponent(hostId)}`, { headers: auth });
      const answer = await bodyOf(response);
      if (response.status === 404) return null;
      if (response.status === 200 && typeof answer === 'object' && answer !== null) return answer as HostView;
      throw new ApiTargetError(describe(response.status, answer));
    },
  };
}
