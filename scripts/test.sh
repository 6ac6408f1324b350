#!/usr/bin/env bash
# Runs the whole test suite against both backends: the embedded default (SQLite, filesystem) and the production
# components (a real PostgreSQL from Debian's packages, Azurite from npm and a real OpenID provider, npm's
# oidc-provider), each started here on a free loopback port in a throwaway folder and stopped on exit. Installs
# PostgreSQL, Azurite, oidc-provider and Chromium (for the Portal's browser tests) when missing.
#
#   bash scripts/test.sh                 the suite, in tiers side by side: unit, api (both backends), browser, openapi
#   bash scripts/test.sh eval            the evaluation lane's cases (held-out poison at corpus scale), left out above
#   bash scripts/test.sh --filter X ...  one dotnet test over the solution with these arguments
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/vendorgate-test.XXXXXX)
chmod 755 "$work"
pg_bin=""
azurite_pid=""
oidc_pid=""

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  set +e
  [ -n "$azurite_pid" ] && kill "$azurite_pid" 2>/dev/null && wait "$azurite_pid" 2>/dev/null
  [ -n "$oidc_pid" ] && kill "$oidc_pid" 2>/dev/null && wait "$oidc_pid" 2>/dev/null
  [ -n "$pg_bin" ] && [ -f "$work/pg/postmaster.pid" ] && as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

wait_for_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "error: $2 did not start listening on 127.0.0.1:$1" >&2
  return 1
}

# --- PostgreSQL (Debian package; our own cluster, no system service) ---
find_pg() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
pg_bin=$(find_pg)
if [ -z "$pg_bin" ]; then
  echo "Installing PostgreSQL from Debian's packages..."
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(find_pg)
fi
[ -x "$pg_bin/initdb" ] || { echo "error: PostgreSQL's initdb was not found under /usr/lib/postgresql" >&2; exit 1; }
mkdir -p "$work/pg" "$work/pgrun"
[ "$(id -u)" = 0 ] && chown postgres "$work/pg" "$work/pgrun"
as_postgres "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; echo "error: initdb failed" >&2; exit 1; }
pg_port=$(free_port)
as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pgrun/pg.log" -w -o \
  "-p $pg_port -k $work/pgrun -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null || { cat "$work/pgrun/pg.log" >&2; echo "error: PostgreSQL did not start" >&2; exit 1; }
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"

# --- Chromium (Debian package) for the Portal's browser tests, driven by Playwright; no browser download ---
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium from Debian's packages..."
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

# npm packages and dotnet tools are installed once per version into a cache shared by every clone (VG_TOOLS_DIR).
tools=${VG_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vendorgate-tools}

# --- Azurite (npm package) ---
azurite="$tools/azurite-3.37.0/node_modules/.bin/azurite-blob"
if [ ! -x "$azurite" ]; then
  echo "Installing Azurite from npm..."
  npm install --silent --no-audit --no-fund --prefix "$tools/azurite-3.37.0" azurite@3.37.0 >/dev/null
fi
az_port=$(free_port)
"$azurite" --blobHost 127.0.0.1 --blobPort "$az_port" --skipApiVersionCheck --loose --inMemoryPersistence --silent \
  >"$work/azurite.log" 2>&1 &
azurite_pid=$!
wait_for_port "$az_port" Azurite || { cat "$work/azurite.log" >&2; exit 1; }
echo "Azurite on 127.0.0.1:$az_port"

# --- OpenID provider (npm oidc-provider), for staff sign-in through OIDC ---
oidc_module="$tools/oidc-provider-9.13.3/node_modules/oidc-provider/lib/index.js"
if [ ! -f "$oidc_module" ]; then
  echo "Installing oidc-provider from npm..."
  npm install --silent --no-audit --no-fund --prefix "$tools/oidc-provider-9.13.3" oidc-provider@9.13.3 >/dev/null
fi
oidc_port=$(free_port)
OIDC_PROVIDER_MODULE="$oidc_module" node "$root/scripts/oidc/provider.mjs" "$oidc_port" >"$work/oidc.log" 2>&1 &
oidc_pid=$!
wait_for_port "$oidc_port" "the OpenID provider" || { cat "$work/oidc.log" >&2; exit 1; }
echo "OpenID provider on 127.0.0.1:$oidc_port"

# --- sigstore-js (npm @sigstore/verify), to check the Gateway's Sigstore bundles as other verifiers will ---
sigstore_js="$tools/sigstore-verify-4.1.3/node_modules"
if [ ! -f "$sigstore_js/@sigstore/verify/package.json" ]; then
  echo "Installing @sigstore/verify from npm..."
  npm install --silent --no-audit --no-fund --prefix "$tools/sigstore-verify-4.1.3" @sigstore/verify@4.1.3 @sigstore/bundle@5.0.1 >/dev/null
fi
export VG_TEST_SIGSTORE_JS="$sigstore_js"

export VG_TEST_OIDC="http://127.0.0.1:$oidc_port"
export VG_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Maximum Pool Size=50"
export VG_TEST_AZURITE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$az_port/devstoreaccount1;"

# The TRX reports (every test with its start and end) go to VG_TEST_RESULTS when set, else are thrown away.
results=${VG_TEST_RESULTS:-$work/results}
mkdir -p "$results" && rm -f "$results"/*.trx
status=0
if [ "${1:-}" = eval ]; then
  # The evaluation lane's cases (held-out poison at corpus scale, minutes each), which the default run leaves out.
  dotnet build "$root/VendorGate.sln" -v quiet -nologo || exit 1
  dotnet test "$root/tests/Gateway.Tests" --no-build --filter "Tier=eval" --logger "trx;LogFileName=eval.trx" --results-directory "$results" "${@:2}" || status=$?
elif [ "$#" -gt 0 ]; then
  # Arguments (a --filter, a configuration): one dotnet test over the solution, as asked.
  dotnet test "$root/VendorGate.sln" --logger "trx" --results-directory "$results" "$@" || status=$?
else
  # The whole suite: build once, then the tiers side by side, each in its own test process, plus the OpenAPI
  # document as integrators' tools see it (Redocly's recommended rules, a Kiota client that compiles).
  dotnet build "$root/VendorGate.sln" -v quiet -nologo || exit 1
  tier() { # name, project, dotnet test arguments: runs one test project, its output prefixed with the tier's name
    set -o pipefail
    dotnet test "$root/tests/$2" --no-build --logger "trx;LogFileName=$1.trx" --results-directory "$results" "${@:3}" 2>&1 | sed -u "s/^/[$1] /"
  }
  tier unit Attest.Tests & unit=$!
  tier api Gateway.Tests --filter "Tier!=eval" & api=$!
  tier browser Portal.Tests & browser=$!
  (bash "$root/scripts/api-check.sh" 2>&1 | sed -u "s/^/[openapi] /"; exit "${PIPESTATUS[0]}") & openapi=$!
  for job in $unit $api $browser; do wait "$job" || status=1; done
  wait "$openapi" || { echo "error: the OpenAPI document fails Redocly's lint or Kiota's client build" >&2; status=1; }
fi

# One closing line that any CI reads: totals over every test project.
passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  passed=$((passed + $(echo "$counters" | sed -E 's/.* passed="([0-9]+)".*/\1/')))
  failed=$((failed + $(echo "$counters" | sed -E 's/.* failed="([0-9]+)".*/\1/')))
done
echo "$passed passed, $failed failed"
[ "$passed" -gt 0 ] || { echo "error: no test ran" >&2; status=1; }
exit $status
