/** The commands of one host live in `@klp/contracts`, where the API and the agents need them too. */
export {
  AGENT_COMMAND_TYPES,
  COMMAND_TYPES,
  OPERATOR_COMMAND_TYPES,
  isCommandType,
  type CommandEnvelope,
  type CommandEnvelopeOf,
  type CommandPayloads,
  type CommandType,
} from '@klp/contracts';
