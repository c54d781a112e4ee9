#!/usr/bin/env bash
# Stop the local broker started by kafka-up.sh on KAFKA_PORT (default 19092), by its PID:
# SIGTERM (controlled shutdown), then SIGKILL after KAFKA_STOP_TIMEOUT seconds (default 30).
#
#   npm run kafka:down            # stop
#   npm run kafka:down -- --wipe  # stop and delete the data dir (.cache/kafka/data-<port>)
set -euo pipefail
# shellcheck source=tools/kafka/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

wipe=false
for arg in "$@"; do
  case $arg in
    --wipe) wipe=true ;;
    *) kafka_die "unknown argument '$arg' (usage: kafka-down.sh [--wipe])" ;;
  esac
done
STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-30}

# The pid file first; if it is gone, look for a broker running with this port's server.properties
# (precise match on the generated config path, never on a process name alone).
pids=()
if pid=$(kafka_running_pid); then
  pids+=("$pid")
else
  for dir in /proc/[0-9]*; do
    candidate=${dir#/proc/}
    if kafka_is_our_broker "$candidate"; then pids+=("$candidate"); fi
  done
fi

# A process counts as gone only once the kernel has torn it down completely (or it is a zombie):
# its cmdline empties before its sockets close, and the next kafka-up needs the ports free.
gone() {
  local p state
  for p in "${pids[@]}"; do
    state=$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$p/stat" 2>/dev/null) || continue
    [[ $state == Z ]] || return 1
  done
  return 0
}

if ((${#pids[@]} == 0)); then
  kafka_log "no broker started by kafka-up.sh is running on port $KAFKA_PORT"
else
  kafka_log "stopping Kafka on port $KAFKA_PORT (pid ${pids[*]})"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  until gone || ((SECONDS >= deadline)); do sleep 0.2; done
  if ! gone; then
    kafka_log "still running after ${STOP_TIMEOUT} s; sending SIGKILL"
    kill -KILL "${pids[@]}" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    until gone || ((SECONDS >= deadline)); do sleep 0.1; done
    gone || kafka_die "could not stop pid ${pids[*]}"
  fi
  # Belt and braces: the listener must be closed before we report "stopped".
  deadline=$((SECONDS + 5))
  while kafka_port_open "$KAFKA_HOST" "$KAFKA_PORT" && ((SECONDS < deadline)); do sleep 0.1; done
  kafka_log "stopped"
fi
rm -f "$KAFKA_PID_FILE"

if $wipe; then
  rm -rf "$KAFKA_DATA_DIR"
  kafka_log "wiped $KAFKA_DATA_DIR"
fi
