'use strict';
// Stops the broker only when this Jest run started it; a broker someone else runs is left alone.
module.exports = async function intGlobalTeardown() {
  const broker = globalThis.__klpBroker;
  if (broker && broker.startedByUs) await broker.stop();
};
