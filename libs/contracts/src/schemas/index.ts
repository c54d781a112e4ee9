export {
  ID_PATTERN,
  MAX_BATCH_COMMANDS,
  checkCommandBody,
  commandBodySchema,
  type BodyCheck,
  type CommandBody,
  type Problem,
} from './command-body';
