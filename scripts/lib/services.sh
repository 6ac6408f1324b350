# Starts the production components on free loopback ports in a throwaway folder: PostgreSQL (Debian's package, our
# own cluster, no system service) and Azurite (npm). Sourced by scripts/test.sh and scripts/bench.sh; the caller sets
# $work (the folder) and $tools (the npm cache) and calls stop_services on exit.
#   start_postgres   sets pg_bin, pg_port
#   start_azurite    sets az_port, azurite_pid
pg_bin=""
azurite_pid=""

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

wait_for_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "error: $2 did not start listening on 127.0.0.1:$1" >&2
  return 1
}

apt_install() { # package: installs a Debian package
  local sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$1" >/dev/null
}

find_pg() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

start_postgres() {
  pg_bin=$(find_pg)
  if [ -z "$pg_bin" ]; then
    echo "Installing PostgreSQL from Debian's packages..."
    apt_install postgresql
    pg_bin=$(find_pg)
  fi
  [ -x "$pg_bin/initdb" ] || { echo "error: PostgreSQL's initdb was not found under /usr/lib/postgresql" >&2; return 1; }
  mkdir -p "$work/pg" "$work/pgrun"
  [ "$(id -u)" = 0 ] && chown postgres "$work/pg" "$work/pgrun"
  as_postgres "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log" >&2; echo "error: initdb failed" >&2; return 1; }
  pg_port=$(free_port)
  as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pgrun/pg.log" -w -o \
    "-p $pg_port -k $work/pgrun -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$work/pgrun/pg.log" >&2; echo "error: PostgreSQL did not start" >&2; return 1; }
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
}

start_azurite() {
  local azurite="$tools/azurite-3.37.0/node_modules/.bin/azurite-blob"
  if [ ! -x "$azurite" ]; then
    echo "Installing Azurite from npm..."
    npm install --silent --no-audit --no-fund --prefix "$tools/azurite-3.37.0" azurite@3.37.0 >/dev/null
  fi
  az_port=$(free_port)
  "$azurite" --blobHost 127.0.0.1 --blobPort "$az_port" --skipApiVersionCheck --loose --inMemoryPersistence --silent \
    >"$work/azurite.log" 2>&1 &
  azurite_pid=$!
  wait_for_port "$az_port" Azurite || { cat "$work/azurite.log" >&2; return 1; }
  echo "Azurite on 127.0.0.1:$az_port"
}

postgres_connection() { echo "Host=127.0.0.1;Port=$pg_port;Username=postgres;Maximum Pool Size=50"; }

azurite_connection() {
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$az_port/devstoreaccount1;"
}

stop_services() {
  # SIGKILL: its blobs are in memory and thrown away, and after a SIGTERM Azurite 3.37 took 77 to 192 s to exit
  # (measured, with no client connected), which a `--filter` run of the suite and the benchmarks waited for.
  # Every step ends well whatever it returns: under a caller's `set -e` a failed step would end the trap here (wait
  # returns 137 for the killed Azurite), leaving PostgreSQL running and the folder behind (the benchmarks did).
  if [ -n "$azurite_pid" ]; then
    kill -KILL "$azurite_pid" 2>/dev/null || true
    wait "$azurite_pid" 2>/dev/null || true
  fi
  if [ -n "$pg_bin" ] && [ -f "$work/pg/postmaster.pid" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  return 0
}
