import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role, TokenGrant } from '@klp/config';
import { globToRegExp } from './glob';

export interface Principal {
  role: Role;
  /** Recorded as the `actor` of every command, event and audit record. */
  subject: string;
  /** Agents only: the hosts this token may report for and read. */
  hosts?: RegExp;
}

interface StoredGrant {
  digest: Buffer;
  principal: Principal;
}

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

/**
 * Looks a bearer token up among the configured grants. Secrets are kept only as SHA-256 digests
 * and every grant is compared in constant time, so neither a log nor response timing leaks one.
 */
export class TokenRegistry {
  private readonly grants: StoredGrant[];

  constructor(grants: TokenGrant[]) {
    this.grants = grants.map((grant) => ({
      digest: digest(grant.secret),
      principal: {
        role: grant.role,
        subject: grant.subject,
        ...(grant.role === 'agent' && grant.hostPattern ? { hosts: globToRegExp(grant.hostPattern) } : {}),
      },
    }));
  }

  get size(): number {
    return this.grants.length;
  }

  authenticate(token: string): Principal | undefined {
    const presented = digest(token);
    let found: Principal | undefined;
    for (const grant of this.grants) {
      // No early exit: the time taken does not depend on which grant matched.
      if (timingSafeEqual(grant.digest, presented)) found = grant.principal;
    }
    return found;
  }
}

/** The `Bearer` token of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
