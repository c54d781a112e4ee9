/** One attribute that changed between two host views: the body of an audit record. */
export type AuditEntityKind =
  'host' | 'module' | 'transition' | 'patch' | 'object' | 'function' | 'funcStack';

export interface AuditEntity {
  readonly kind: AuditEntityKind;
  readonly patch?: string;
  /** The object (`vmlinux` or a module) of an object, function or func stack; the module of a `module`. */
  readonly object?: string;
  /** The function key `<name>,<sympos>`. */
  readonly func?: string;
}

/** A JSON value (an object member may be absent). */
export type AuditValue =
  | string
  | number
  | boolean
  | null
  | readonly AuditValue[]
  | { readonly [key: string]: AuditValue | undefined };

export interface AttributeChange {
  readonly entity: AuditEntity;
  readonly attribute: string;
  readonly from: AuditValue;
  readonly to: AuditValue;
}
