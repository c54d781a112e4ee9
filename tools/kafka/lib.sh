# shellcheck shell=bash disable=SC2034 # variables are used by the scripts that source this file
# Shared settings for tools/kafka/*.sh. Sourced, not run.
# Every knob is an environment variable so that npm scripts, Jest's global setup, `npm start`
# and CI all start the same broker the same way.

KAFKA_TOOLS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KLP_ROOT=$(cd "$KAFKA_TOOLS_DIR/../.." && pwd)

# Default broker version and the aliases we accept. Pinned (not "latest") so that every machine
# runs the same broker; bump them here after checking Maven Central, e.g.
#   mvn -f tools/kafka/pom.xml versions:display-dependency-updates
KAFKA_DEFAULT_VERSION=3.9.2
KAFKA_LATEST_4=4.4.0

kafka_log() { printf '[kafka] %s\n' "$*" >&2; }
kafka_die() {
  printf '[kafka] ERROR: %s\n' "$*" >&2
  exit 1
}

case "${KAFKA_VERSION:-}" in
  '' | 3 | 3.9 | 3.9.x | 3.x) KAFKA_VERSION=$KAFKA_DEFAULT_VERSION ;;
  4 | 4.x) KAFKA_VERSION=$KAFKA_LATEST_4 ;;
esac
[[ $KAFKA_VERSION =~ ^([34])\.[0-9]+\.[0-9]+$ ]] ||
  kafka_die "KAFKA_VERSION='$KAFKA_VERSION' is not supported: use a 3.x.y or 4.x.y release (KRaft), or the aliases 3.9.x / 4.x"
KAFKA_MAJOR=${BASH_REMATCH[1]}

KAFKA_PORT=${KAFKA_PORT:-19092}
[[ $KAFKA_PORT =~ ^[0-9]+$ ]] || kafka_die "KAFKA_PORT='$KAFKA_PORT' is not a port number"
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
KAFKA_HOST=127.0.0.1

KAFKA_CACHE=${KAFKA_CACHE_DIR:-$KLP_ROOT/.cache/kafka}
KAFKA_DIST=$KAFKA_CACHE/$KAFKA_VERSION
KAFKA_LIBS=$KAFKA_DIST/libs
KAFKA_FETCHED_MARKER=$KAFKA_DIST/.fetched
KAFKA_DATA_DIR=$KAFKA_CACHE/data-$KAFKA_PORT
KAFKA_LOG_DIR=$KAFKA_CACHE/logs-$KAFKA_PORT
KAFKA_PID_FILE=$KAFKA_CACHE/broker-$KAFKA_PORT.pid
KAFKA_CONFIG_DIR=$KAFKA_CACHE/config-$KAFKA_PORT
KAFKA_SERVER_PROPERTIES=$KAFKA_CONFIG_DIR/server.properties

# Kafka 4.x brokers need Java 17, 3.x brokers Java 11 (Java 17 runs both).
kafka_require_java() {
  command -v java >/dev/null 2>&1 ||
    kafka_die "java not found on PATH. Install a JDK 17 (Debian: apt-get install openjdk-17-jre-headless) and retry."
  local line major
  line=$(java -version 2>&1 | head -n 1)
  major=$(sed -E 's/.*version "([0-9]+)(\.[0-9]+)*.*/\1/' <<<"$line")
  if [[ $major == 1 ]]; then major=8; fi
  [[ $major =~ ^[0-9]+$ ]] || kafka_die "cannot read the Java version from: $line"
  local need=11
  if ((KAFKA_MAJOR >= 4)); then need=17; fi
  if ((major < need)); then
    kafka_die "Java $major found ($line); Kafka $KAFKA_VERSION needs Java $need or newer."
  fi
}

# Is anything accepting TCP connections on host:port? (cheap, no Kafka protocol involved)
kafka_port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# PID from the pid file, only if that process is still our broker (guards against PID reuse).
kafka_running_pid() {
  [[ -f $KAFKA_PID_FILE ]] || return 1
  local pid
  pid=$(<"$KAFKA_PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kafka_is_our_broker "$pid" && printf '%s\n' "$pid"
}

# True when PID is a live `kafka.Kafka <our server.properties>` process.
kafka_is_our_broker() {
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *kafka.Kafka* && $cmdline == *"$KAFKA_SERVER_PROPERTIES"* ]]
}
