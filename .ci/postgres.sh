# Start a throw-away PostgreSQL server on loopback and export THEMECODER_TEST_PG.
# Sourced by .ci/run; usable by hand: `source .ci/postgres.sh; start_postgres`.
start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ]; then
    echo "PostgreSQL server not installed: the PostgreSQL tests are skipped (and fail in CI)" >&2
    return 0
  fi
  local dir; dir=$(mktemp -d /tmp/themecoder-pg.XXXXXX)
  # A free loopback port, so a server already running here does not get in the way.
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  chown postgres "$dir" 2>/dev/null || true
  local run="su postgres -s /bin/sh -c"
  [ "$(id -u)" -ne 0 ] && run="sh -c"
  $run "$bin/initdb -D $dir/data -U themecoder --auth=trust -E UTF8" >/dev/null
  $run "$bin/pg_ctl -D $dir/data -o '-c listen_addresses=127.0.0.1 -p $port -k $dir' -l $dir/log -w start" >/dev/null
  export THEMECODER_TEST_PG="postgresql://themecoder@127.0.0.1:$port/postgres"
  trap "$run '$bin/pg_ctl -D $dir/data -m fast stop' >/dev/null 2>&1 || true" EXIT
}
