#!/usr/bin/env bash
# Runs a performance benchmark on demand (not part of the test suite). Builds Release first.
#   bash scripts/bench.sh ingest [examples]    upload the reference corpus over HTTP vs sha256sum, Gateway peak RSS; through
#                                              upload sessions (their digests worked out as sent, and beforehand), the CLI
#   bash scripts/bench.sh scan [examples]      scan the reference corpus with every scanner (target: 1M in 60 s on 2 cores);
#                                              CORPUS=adversarial: words from 5,000 random letter strings instead;
#                                              CORPUS=realistic: real text (prose, code, 13 languages, chat, tables, maths)
#   bash scripts/bench.sh scan-workers [examples] [cores=1]
#                                              one batch scanned in shards by 1 worker process, then by 2, on PostgreSQL +
#                                              Azurite started here (target: 2 ≥ 1.8× faster); cores=1 pins each to a core
#   bash scripts/bench.sh corpus               cut, diff, blame, revocation on a 1M-example corpus vs git diff / git blame
#   bash scripts/bench.sh manifest [examples]  manifest trees at 10M: a cut of 10k, a revocation of 10k, diffs, blame by index,
#                                              beside flat VGM1 manifests and git diff on 1M-line manifests
#   bash scripts/bench.sh load [vendors=50] [seconds=60] [gateways=1] [workers=0] [backend=embedded|production]
#                                              V vendors uploading 1,000-line batches for S seconds: accepted, errors, accept
#                                              p50/p99, scan lag, lost; backend=production starts PostgreSQL and Azurite here
#   bash scripts/bench.sh memory [examples] [rounds=10]
#                                              consecutive uploads of the reference corpus and their scans on one Gateway:
#                                              RSS per round and its peak (target ≤ 512 MB, flat)
#   bash scripts/bench.sh export [examples]    a snapshot exported to Parquet vs its NDJSON over HTTP (target: 1M in 20 s)
#   bash scripts/bench.sh cold [examples]      the first upload on a fresh Gateway vs warm ones (target ≤ 1.5×); GATEWAY_X=v
#                                              sets X=v for the Gateway only (e.g. GATEWAY_DOTNET_TieredPGO=0)
#   bash scripts/bench.sh poison [quick]       the poison evaluation matrix: payload families x triggers x distributions,
#                                              whole-batch attacks, false positives per clean set (README "Poison detection");
#                                              families=a,b: those families' cells of the whole lane and the clean sets only
#   bash scripts/bench.sh backdoors [full]     fine-tuning backdoors (refusal turned into compliance) x trigger styles (quick: 20k)
#   bash scripts/bench.sh salad                how the word-salad thresholds were chosen (SHORT=1: whole batches of short
#                                              examples, SHORT=explain: and what they missed; TRIGGERS=1: salad triggers
#                                              ranked and named; CLEANFP=N: clean examples the poisoning scanners flag in
#                                              N per clean set, with each word's coherence; MISSED=family: poisons missed
#                                              (MISSED_CLEAN/MISSED_PLANTED: batch size; SEED); FRESH=1: runs of words that
#                                              hardly repeat, how FreshRepeats/FreshKnown were chosen (CLEAN per set, SEED);
#                                              SPREAD=family [STYLE=trigger]: the spread cells; SALAD_MINCOUNT etc.: options)
#   bash scripts/bench.sh explore              window measures per clean set and family (MEANRUN=k CLEAN=n: the highest
#                                              k-window mean cost per example, how LongRunMeanBits was chosen)
#   bash scripts/bench.sh auth [rounds]        401 latency of an unknown key id vs a known id with a wrong secret (uniform time)
#   bash scripts/bench.sh scanners [examples] [rounds=5] [only=name]  each example scanner's cost per byte, in-process on one
#                                              thread, over the first examples (20,000) of CORPUS (realistic), least of the
#                                              rounds; then all of them together as the scan job runs them, on every core
#                                              (together: that alone)
#   bash scripts/bench.sh reference            rebuilds the scanners' shipped character model from this machine's text
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-ingest}
dotnet build -c Release "$root/src/Gateway" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/tests/Benchmarks" -v quiet -nologo >/dev/null
bench="$root/tests/Benchmarks/bin/Release/net10.0/VendorGate.Benchmarks.dll"
case "$what" in
  poison) exec dotnet "$bench" poison "${@:2}" ;;
  backdoors) exec dotnet "$bench" backdoors "${@:2}" ;;
  salad) exec dotnet "$bench" salad ;;
  scanners) exec dotnet "$bench" scanners "${@:2}" ;;
  reference) exec dotnet "$bench" reference "$root/src/Gateway/Scanning/Language/Reference/charlm.bin.gz" ;;
esac
if [ "$what" = scan-workers ] || { [ "$what" = load ] && [[ " ${*:2} " == *" backend=production "* ]]; }; then
  # PostgreSQL and Azurite on free loopback ports in a throwaway folder, as the test suite starts them.
  work=$(mktemp -d /tmp/vendorgate-bench.XXXXXX)
  chmod 755 "$work"
  tools=${VG_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vendorgate-tools}
  . "$root/scripts/lib/services.sh"
  trap 'stop_services; rm -rf "$work"' EXIT
  start_postgres
  start_azurite
  VG_BENCH_POSTGRES=$(postgres_connection) VG_BENCH_AZURITE=$(azurite_connection) \
    dotnet "$bench" "$what" "$root/src/Gateway/bin/Release/net10.0/VendorGate.Gateway.dll" "${@:2}"
  exit
fi
exec dotnet "$root/tests/Benchmarks/bin/Release/net10.0/VendorGate.Benchmarks.dll" "$what" \
  "$root/src/Gateway/bin/Release/net10.0/VendorGate.Gateway.dll" "${@:2}"
