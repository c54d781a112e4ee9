#!/usr/bin/env bash
# Fetch the Apache Kafka broker (org.apache.kafka:kafka_2.13:$KAFKA_VERSION), its runtime
# dependency closure and the logging jars it needs from Maven Central into
# .cache/kafka/<version>/libs (git-ignored). Idempotent: does nothing once the marker exists.
#
#   bash tools/kafka/fetch.sh                 # default version (see lib.sh)
#   KAFKA_VERSION=4.x bash tools/kafka/fetch.sh
#
# Env: KAFKA_VERSION, KAFKA_CACHE_DIR, MVN (maven command, default `mvn`), MAVEN_ARGS_EXTRA.
set -euo pipefail
# shellcheck source=tools/kafka/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ -f $KAFKA_FETCHED_MARKER ]]; then
  kafka_log "Kafka $KAFKA_VERSION already fetched ($KAFKA_LIBS)"
  exit 0
fi

kafka_require_java
MVN=${MVN:-mvn}
command -v "$MVN" >/dev/null 2>&1 ||
  kafka_die "Maven ('$MVN') not found on PATH; it is needed once to fetch the Kafka jars from Maven Central. Install Maven 3.8+ (Debian: apt-get install maven) and retry."

mkdir -p "$KAFKA_CACHE"
# Two processes (say CI and a Jest global setup) must not fetch into the same folder at once.
exec 9>"$KAFKA_CACHE/fetch-$KAFKA_VERSION.lock"
flock 9
if [[ -f $KAFKA_FETCHED_MARKER ]]; then
  kafka_log "Kafka $KAFKA_VERSION was fetched meanwhile ($KAFKA_LIBS)"
  exit 0
fi

case $KAFKA_MAJOR in
  3) logging=reload4j ;;
  *) logging=log4j2 ;;
esac

start=$(date +%s)
tmp=$KAFKA_DIST/libs.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
kafka_log "fetching org.apache.kafka:kafka_2.13:$KAFKA_VERSION (+ $logging logging) from Maven Central with $MVN ..."
# shellcheck disable=SC2086 # MAVEN_ARGS_EXTRA is a list of flags on purpose
if ! "$MVN" -B -q -f "$KAFKA_TOOLS_DIR/pom.xml" \
  -Dkafka.version="$KAFKA_VERSION" -Dkafka.logging="$logging" \
  -Dkafka.buildDir="$KAFKA_DIST/maven-target" \
  ${MAVEN_ARGS_EXTRA:-} \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$KAFKA_DIST/fetch.log" 2>&1; then
  tail -n 40 "$KAFKA_DIST/fetch.log" >&2
  kafka_die "mvn could not fetch Kafka $KAFKA_VERSION (full log: $KAFKA_DIST/fetch.log). Is Maven Central reachable, and does the version exist?"
fi

# Sanity checks: the broker jar is there, and exactly one slf4j binding that matches slf4j-api.
[[ -f $tmp/kafka_2.13-$KAFKA_VERSION.jar ]] || kafka_die "kafka_2.13-$KAFKA_VERSION.jar missing after mvn (see $KAFKA_DIST/fetch.log)"
if compgen -G "$tmp/slf4j-api-2.*.jar" >/dev/null; then
  kafka_die "Kafka $KAFKA_VERSION uses slf4j-api 2.x; tools/kafka/pom.xml must bind it with log4j-slf4j2-impl instead of log4j-slf4j-impl"
fi

rm -rf "$KAFKA_LIBS" "$KAFKA_DIST/maven-target"
mv "$tmp" "$KAFKA_LIBS"
trap - EXIT
count=$(find "$KAFKA_LIBS" -name '*.jar' | wc -l)
size=$(du -sh "$KAFKA_LIBS" | cut -f1)
printf 'version=%s\nlogging=%s\njars=%s\nfetched_at=%s\nseconds=%s\n' \
  "$KAFKA_VERSION" "$logging" "$count" "$(date -u +%FT%TZ)" "$(($(date +%s) - start))" >"$KAFKA_FETCHED_MARKER"
kafka_log "fetched Kafka $KAFKA_VERSION: $count jars, $size in $(($(date +%s) - start)) s -> $KAFKA_LIBS"
