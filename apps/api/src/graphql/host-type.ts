import type { HostView } from '@klp/contracts';
import type { HostType } from './types';

/** The host view as GraphQL lists (GraphQL has no maps), with the view itself beside them. */
export function toHostType(view: HostView): HostType {
  return {
    hostId: view.hostId,
    version: view.version,
    kernelRelease: view.kernelRelease,
    loadedModules: [...view.loadedModules],
    transition: view.transition
      ? { ...view.transition, blockingTasks: view.transition.blockingTasks.map((task) => ({ ...task })) }
      : null,
    stack: [...view.stack],
    patches: Object.entries(view.patches).map(([name, patch]) => ({
      name,
      enabled: patch.enabled,
      forced: patch.forced,
      state: patch.state,
      objects: Object.entries(patch.objects).map(([objectName, object]) => ({
        name: objectName,
        loaded: object.loaded,
        patched: object.patched,
        state: object.state,
        funcs: Object.entries(object.funcs).map(([key, func]) => ({ key, ...func })),
      })),
    })),
    funcStacks: Object.entries(view.funcStacks).map(([fn, patches]) => ({
      function: fn,
      patches: [...patches],
    })),
    view,
  };
}
