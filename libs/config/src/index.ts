export { ConfigError, loadConfig } from './load-config';
export { DEFAULTS, databaseVariables, httpVariables, kafkaVariables, logVariables } from './variables';
export { ROLES, parseTokens, type Role, type TokenGrant } from './tokens';
