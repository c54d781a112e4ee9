import { AGENT_COMMAND_TYPES, OPERATOR_COMMAND_TYPES, type CommandType } from '@klp/contracts';
import type { Principal } from './token-registry';

/**
 * The role matrix of API.md ("Authentication"). Operators steer patches; agents report what their
 * kernel did, and only for their hosts; auditors read; admins do everything. An operator may not
 * forge a kernel report, nor an agent an operator's decision: the audit trail says who did what.
 */
export type Capability = 'read' | 'audit' | 'admin';

const capabilities: Record<Principal['role'], readonly Capability[]> = {
  operator: ['read', 'audit'],
  agent: ['read'],
  auditor: ['read', 'audit'],
  admin: ['read', 'audit', 'admin'],
};

export function hasCapability(principal: Principal, capability: Capability): boolean {
  return capabilities[principal.role].includes(capability);
}

export function maySend(principal: Principal, type: CommandType, hostId: string): boolean {
  switch (principal.role) {
    case 'admin':
      return true;
    case 'operator':
      return (OPERATOR_COMMAND_TYPES as readonly string[]).includes(type);
    case 'agent':
      return (AGENT_COMMAND_TYPES as readonly string[]).includes(type) && mayReadHost(principal, hostId);
    case 'auditor':
      return false;
  }
}

/** Agents limited by a host pattern see only those hosts; everyone else with `read` sees all. */
export function mayReadHost(principal: Principal, hostId: string): boolean {
  return principal.hosts ? principal.hosts.test(hostId) : true;
}

/** Fleet-wide reads (lists, roll-ups) are refused to agents limited to some hosts. */
export function mayReadFleet(principal: Principal): boolean {
  return hasCapability(principal, 'read') && !principal.hosts;
}
