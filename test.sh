#!/usr/bin/env bash
# The whole test suite: builds everything (warnings are errors) and runs every test project.
# Tests read the reference datasets from ../shared/data (or $SEGMENTA_DATA); they start whatever
# servers they need themselves. Ends with one line: "tests: N passed, N failed".
#   ./test.sh                    everything
#   ./test.sh PROJECT            one test project: Segmenta (the core), DuckDb, Postgres, Published, Server or Cli
#   ./test.sh PROJECT FILTER     its tests whose full name contains FILTER (e.g. ./test.sh Server SecurityTests)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

target=Segmenta.slnx filter=()
if [ $# -ge 1 ]; then
  name="${1#Segmenta.}"; name="${name%.Tests}"
  case "$name" in
    Segmenta|Core) target=tests/Segmenta.Tests ;;
    *) target="tests/Segmenta.$name.Tests" ;;
  esac
  [ -d "$target" ] || { echo "test.sh: no test project $target (Segmenta, DuckDb, Postgres, Published, Server or Cli)" >&2; exit 2; }
fi
if [ $# -ge 2 ]; then filter=(--filter "FullyQualifiedName~$2"); fi

data="${SEGMENTA_DATA:-$(cd .. && pwd)/shared/data}"
if [ ! -f "$data/online_retail.csv" ]; then
  echo "test.sh: the reference datasets are not at $data; put shared/ beside the checkout or set SEGMENTA_DATA" >&2
  exit 2
fi
export SEGMENTA_DATA="$data"

# The browser tests drive Debian's Chromium (Playwright never downloads a browser); install it once.
if [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: installing Debian's chromium for the browser tests"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q chromium >/dev/null || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q chromium >/dev/null; }
fi

# The dashboard is bundled with npm packages at build time (src/Segmenta.Server/Dashboard): Node.js is needed.
command -v npm >/dev/null || { echo "test.sh: the build needs Node.js and npm (the dashboard's bundle)" >&2; exit 2; }

dotnet build Segmenta.slnx -c Release --nologo -v quiet -clp:ErrorsOnly

# Three throwaway PostgreSQL clusters on free loopback ports: one node (also the coordinator of the
# sharded tests) and two workers. They are stopped and deleted on exit, also when a test fails.
log="$(mktemp)"
pg_root="$(mktemp -d /tmp/segmenta-pg.XXXXXX)"
chmod 755 "$pg_root"
cleanup() {
  for d in "$pg_root"/*; do [ -d "$d" ] && scripts/pg-cluster.sh stop "$d"; done
  rm -rf "$pg_root" "$log"
}
trap cleanup EXIT
export SEGMENTA_PG SEGMENTA_PG_WORKERS SEGMENTA_REQUIRE_POSTGRES=1
SEGMENTA_PG="$(scripts/pg-cluster.sh start "$pg_root/main")"
SEGMENTA_PG_WORKERS="$(scripts/pg-cluster.sh start "$pg_root/worker0")|$(scripts/pg-cluster.sh start "$pg_root/worker1")"
echo "test.sh: PostgreSQL on ${SEGMENTA_PG%%;Username*} and two workers"
status=0
dotnet test "$target" -c Release --no-build --nologo "${filter[@]}" 2>&1 | tee "$log" || status=$?

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: $passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
