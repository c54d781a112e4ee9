export const ROLES = ['operator', 'agent', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenGrant {
  role: Role;
  subject: string;
  secret: string;
  /** A glob on host ids (`web-*`); only agents are limited by it. */
  hostPattern?: string;
}

/**
 * Parses `KLP_TOKENS`: a comma-separated list of `role:subject:secret[:hostPattern]` (API.md,
 * "Authentication"). Throws with the offending entry's position, never its secret.
 */
export function parseTokens(value: string): TokenGrant[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const grants = entries.map((entry, index) => {
    const [role, subject, secret, hostPattern, ...rest] = entry.split(':');
    const where = `KLP_TOKENS entry ${index + 1}`;
    if (rest.length > 0) throw new Error(`${where}: expected role:subject:secret[:hostPattern]`);
    if (!ROLES.includes(role as Role)) throw new Error(`${where}: role must be one of ${ROLES.join(', ')}`);
    if (!subject || !/^[A-Za-z0-9._@-]{1,64}$/.test(subject))
      throw new Error(`${where}: subject must be 1-64 characters of [A-Za-z0-9._@-]`);
    if (!secret || secret.length < 8) throw new Error(`${where}: secret must be at least 8 characters`);
    if (hostPattern !== undefined && !/^[A-Za-z0-9._:*?-]{1,128}$/.test(hostPattern))
      throw new Error(`${where}: host pattern must be a glob over [A-Za-z0-9._:-] with * and ?`);
    return { role: role as Role, subject, secret, ...(hostPattern ? { hostPattern } : {}) };
  });
  const secrets = new Set(grants.map((grant) => grant.secret));
  if (secrets.size !== grants.length) throw new Error('KLP_TOKENS: two entries share a secret');
  return grants;
}
