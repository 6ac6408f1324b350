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
oidc_pid=""
# npm packages and dotnet tools are installed once per version into a cache shared by every clone (VG_TOOLS_DIR).
tools=${VG_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vendorgate-tools}
. "$root/scripts/lib/services.sh"

cleanup() {
  set +e
  [ -n "$oidc_pid" ] && kill "$oidc_pid" 2>/dev/null && wait "$oidc_pid" 2>/dev/null
  stop_services
  dotnet build-server shutdown --vbcscompiler >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

start_postgres

# --- Chromium's headless shell (Debian package) for the Portal's browser tests, driven by Playwright; no browser download ---
if [ ! -x /usr/bin/chromium-headless-shell ]; then
  echo "Installing Chromium's headless shell from Debian's packages..."
  apt_install chromium-headless-shell
fi

start_azurite

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
export VG_TEST_POSTGRES=$(postgres_connection)
export VG_TEST_AZURITE=$(azurite_connection)
# Every process here is short-lived (a test host, a Gateway per class, a CLI run): tiered PGO's instrumented re-JIT of
# hot methods costs them more CPU than the profile it gathers wins back.
export DOTNET_TieredPGO=0
# A 256 MB first generation (by default it is sized to the CPU cache, a few MB), so the test processes, which hold
# many Gateways at once, collect it far less often. Measured on the api tier alone: 235 s of the test process's CPU
# and 2 min 57 s before, 206 s and 2 min 35 s after (512 MB: 202 s; tiered compilation off: 309 s).
export DOTNET_GCgen0size=0x10000000
# The runtime's default tier-up delay (100 ms) instead of the Gateway's 0 (its runtimeconfig: a long-lived Gateway's
# first upload runs optimised code at once): the Gateway processes the browser tests start live a minute, and tiering
# up their start-up code at once cost them 15 % more CPU (one Portal class: 11.7 s beside 13.7-14.0 s, two runs each).
export DOTNET_TC_CallCountingDelayMs=100

# The TRX reports (every test with its start and end) go to VG_TEST_RESULTS when set, else are thrown away.
results=${VG_TEST_RESULTS:-$work/results}
mkdir -p "$results" && rm -f "$results"/*.trx
status=0
if [ "${1:-}" = eval ]; then
  # The evaluation lane's cases (held-out poison at corpus scale, minutes each), which the default run leaves out.
  dotnet build "$root/VendorGate.sln" -c Release -v quiet -nologo || exit 1
  dotnet test "$root/tests/Gateway.Tests" -c Release --no-build --filter "Tier=eval" --logger "trx;LogFileName=eval.trx" --results-directory "$results" "${@:2}" || status=$?
elif [ "$#" -gt 0 ]; then
  # Arguments (a --filter, a configuration): one dotnet test over the solution, as asked.
  dotnet test "$root/VendorGate.sln" --logger "trx" --results-directory "$results" "$@" || status=$?
else
  # The whole suite: the OpenAPI document as integrators' tools see it (Redocly's recommended rules, a Kiota client
  # that compiles), which needs no build and so starts first and fills the build's waits on restore; the build, once
  # (Release: the scanners run optimised, and the README walk-through's `dotnet pack -c Release` finds the CLIs
  # built), through the compiler server (some machines turn it off with UseSharedCompilation=false; one warm compiler
  # for the solution's dozen projects and the Kiota client: the build's CPU 106-125 s -> 83-88 s, stopped on exit);
  # then the tiers side by side, each in its own test process.
  (bash "$root/scripts/api-check.sh" 2>&1 | sed -u "s/^/[openapi] /"; exit "${PIPESTATUS[0]}") & openapi=$!
  dotnet build "$root/VendorGate.sln" -c Release -v quiet -nologo -p:UseSharedCompilation=true || exit 1
  tier() { # name, project, dotnet test arguments: runs one test project, its output prefixed with the tier's name
    set -o pipefail
    dotnet test "$root/tests/$2" -c Release --no-build --logger "trx;LogFileName=$1.trx" --results-directory "$results" "${@:3}" 2>&1 | sed -u "s/^/[$1] /"
  }
  tier unit Attest.Tests & unit=$!
  tier api Gateway.Tests --filter "Tier!=eval" & api=$!
  # The browser tier's processes (a Gateway and a Portal per class, the README's CLIs) live a minute or less: a method
  # is recompiled optimised after 1,000 calls instead of 30, so their start-up code is compiled once. One Portal
  # class: its Gateway process 9.6-10.0 s of CPU beside 13.4-15.6 s, its test process 7.0 s beside 9.4-10.6 s. (The api
  # tier's test process, which hosts every Gateway of its tier and runs the scanners, is slower with it.)
  DOTNET_TC_CallCountThreshold=1000 tier browser Portal.Tests & browser=$!
  wait "$openapi" || { echo "error: the OpenAPI document fails Redocly's lint or Kiota's client build" >&2; status=1; }
  # Nothing compiles after the OpenAPI check: the compiler server goes now, not on exit. Left running, it went on
  # recompiling its own hot methods optimised (tiered compilation's backlog) for 19 s of CPU beside the tests.
  dotnet build-server shutdown --vbcscompiler >/dev/null 2>&1 || true
  for job in $unit $api $browser; do wait "$job" || status=1; done
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
