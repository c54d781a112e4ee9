import { ReadModel1764284400000 } from './1764284400000-read-model';
import { ObjectFuncPositions1764460800000 } from './1764460800000-object-func-positions';
import { AuditTimeTravel1764633600000 } from './1764633600000-audit-time-travel';
import { AuditCommandHeads1764892800000 } from './1764892800000-audit-command-heads';
import { EventLogLeanIndexes1764979200000 } from './1764979200000-event-log-lean-indexes';
import { PatchStatePerStatement1765065600000 } from './1765065600000-patch-state-per-statement';

/** Every migration, oldest first. A landed migration is never edited: add a new one. */
export const migrations = [
  ReadModel1764284400000,
  ObjectFuncPositions1764460800000,
  AuditTimeTravel1764633600000,
  AuditCommandHeads1764892800000,
  EventLogLeanIndexes1764979200000,
  PatchStatePerStatement1765065600000,
];
