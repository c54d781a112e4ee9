#!/usr/bin/env bash
# `npm test`: every check and every test tier, in the order that fails fastest. Starts the local
# Kafka broker when none is reachable (and stops it again), and ends with the plain total of
# `N passed, M failed` over every Jest tier, read from Jest's JSON results.
set -uo pipefail
cd "$(dirname "$0")/../.."
export TZ=UTC NX_DAEMON=false NX_NO_CLOUD=true FORCE_COLOR=0

results_dir=$(mktemp -d -t klp-test-XXXXXX)
broker_started=""
failed_steps=()

cleanup() {
  if [ -n "$broker_started" ]; then
    echo "▶ stopping the Kafka broker this run started"
    KAFKA_PORT=${KAFKA_PORT:-19092} bash tools/kafka/kafka-down.sh >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

step() {
  local name=$1
  shift
  echo
  echo "▶ $name"
  local started=$SECONDS
  if "$@"; then
    echo "✔ $name ($((SECONDS - started)) s)"
  else
    echo "✘ $name FAILED ($((SECONDS - started)) s)"
    failed_steps+=("$name")
  fi
}

jest_tier() {
  local tier=$1
  shift
  npx jest -c "jest.$tier.config.js" --ci --json --outputFile="$results_dir/$tier.json" "$@"
}

# The module-boundary rule needs Nx's project graph; without it the rule skips itself silently.
lint() {
  npx nx reset >/dev/null 2>&1 || true
  npx nx show projects >/dev/null || return 1
  local output
  output=$(npx eslint . --max-warnings 0 2>&1)
  local status=$?
  echo "$output"
  if grep -q 'No cached ProjectGraph' <<<"$output"; then
    echo "module boundaries were not checked: Nx project graph missing"
    return 1
  fi
  return $status
}

# The dashboard has its own tsconfig (DOM lib, JSX); the root one checks everything else.
typecheck() {
  local status=0
  npx tsc -p tsconfig.json --noEmit || status=1
  npx tsc -p apps/dashboard/tsconfig.json --noEmit || status=1
  return $status
}

ensure_broker() {
  local outcome
  outcome=$(node -e "require('./tools/kafka/broker').ensureBroker().then((b) => console.log(b.startedByUs ? 'started' : 'attached:' + b.brokers.join(',')), (e) => { console.error(e.message); process.exit(1); })") || return 1
  [ "$outcome" = started ] && broker_started=1
  echo "Kafka: $outcome"
}

step "format (prettier)" npx prettier --check . --log-level warn
step "lint (eslint, type-checked, module boundaries)" lint
step "type check (tsc, and the dashboard with the DOM and JSX)" typecheck
step "unit tests (with libs/domain coverage ≥ 95% lines)" jest_tier unit --coverage
step "scenario runner over ../shared/scenarios" npm run -s scenarios -- "${KLP_SCENARIOS_DIR:-../shared/scenarios}" libs/domain/scenarios
step "Kafka broker up" ensure_broker
step "integration tests (real Kafka and Postgres)" jest_tier int
step "dashboard build (vite, for the browser tests)" npm run -s dashboard:build
step "end-to-end tests (REST, GraphQL, every scenario, the dashboard in Chromium)" jest_tier e2e
# Its own broker (KAFKA_PORT 19792) and Postgres cluster (klpfaults, 5437), killed and restarted on purpose.
step "fault suite (SIGKILLed apps, broker kill -9, Postgres restart under load)" jest_tier faults

totals=$(node tools/test/sum-jest-results.js "$results_dir"/*.json)
# Stop the broker now, so that the total below is the very last line CI reads.
cleanup
broker_started=""
echo
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
fi
echo "$totals"
[ ${#failed_steps[@]} -eq 0 ]
