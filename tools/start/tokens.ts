import { randomBytes } from 'node:crypto';

/** Demo tokens, one per role, fresh for each `npm start` that was not given KLP_TOKENS. */
export function demoTokens(): { value: string; byRole: Record<string, string> } {
  const secret = () => randomBytes(12).toString('hex');
  const byRole = { admin: secret(), operator: secret(), auditor: secret(), agent: secret() };
  const value = [
    `admin:demo-admin:${byRole.admin}`,
    `operator:demo-operator:${byRole.operator}`,
    `auditor:demo-auditor:${byRole.auditor}`,
    `agent:fleet-sim:${byRole.agent}`,
  ].join(',');
  return { value, byRole };
}
