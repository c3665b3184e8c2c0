#!/usr/bin/env bash
# ringraft end to end against Aeron Cluster, same load, same run: starts three ringraft daemons on this machine
# (4 groups, fsync always, data on tmpfs under /dev/shm), then io.ringraft.benchmarks.baseline.PerfBaseline drives
# them through KvClient and a 3-member Aeron Cluster 1.51 (echo service, in one JVM, a media driver per member)
# through AeronCluster with ringraft perf's load code, alternating per row, and writes the table to
# benchmarks/results/perf-baseline-DATE.md. Settings (environment):
#   ROWS=64@max,1024@max,1024@1000,1024@10000,64@100000   record size @ records/s (max: closed loop)
#   WINDOW=256  DURATION=20s  WARMUP=10s                   per run; each row runs both systems
# Each member serves its metrics on the port printed at the start (metrics.port), to watch the run or scrape it.
# Takes about ROWS x 2 x (WARMUP + DURATION) plus a minute: 6 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${ROWS:-64@max,1024@max,1024@1000,1024@10000,64@100000}"
WINDOW="${WINDOW:-256}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-10s}"

mvn -o -q -B -pl benchmarks -am package -DskipTests

work="$(mktemp -d /dev/shm/ringraft-perf-baseline-XXXXXX)"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop EXIT

# Frames are authenticated since issue 16: the members and the client share a key made here.
bin/ringraft secret new "$work/cluster.key" > /dev/null

base=$((20000 + RANDOM % 20000))
members="1=127.0.0.1:$((base + 1)), 2=127.0.0.1:$((base + 2)), 3=127.0.0.1:$((base + 3))"
clients="1=127.0.0.1:$((base + 11)), 2=127.0.0.1:$((base + 12)), 3=127.0.0.1:$((base + 13))"
for m in 1 2 3; do
  cat > "$work/member-$m.conf" <<CONF
cluster.id = $((base % 1000 + 1))
members = $members
client.endpoints = $clients
groups = 4
member.id = $m
data.dir = $work/data-$m
fsync = always
secret.file = $work/cluster.key
metrics.port = $((base + 20 + m))
CONF
  bin/ringraft-daemon --config "$work/member-$m.conf" > "$work/member-$m.log" 2>&1 &
  pids+=("$!")
done

deadline=$((SECONDS + 120))
until bin/ringraft kv put perf-baseline ready --config "$work/member-1.conf" --timeout 5s > /dev/null 2>&1; do
  if ((SECONDS > deadline)); then
    echo "the ringraft daemons did not answer within 120 s; their logs:" >&2
    tail -n 20 "$work"/member-*.log >&2
    exit 1
  fi
  sleep 1
done

echo "ringraft members' metrics: http://127.0.0.1:$((base + 21))/metrics, :$((base + 22)), :$((base + 23)); data in $work"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p benchmarks/results
out="benchmarks/results/perf-baseline-$(date -u +%Y-%m-%d-%H%M).md"
{
  echo "# ringraft vs Aeron Cluster, same load, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)."
  echo "ringraft: 3 bin/ringraft-daemon processes, 4 groups, fsync always, data on tmpfs; one KvClient, putAsync."
  echo "Aeron Cluster 1.51: 3 members in one JVM (a media driver, archive and echo service each, archive file sync"
  echo "level 1, data on tmpfs); one AeronCluster client. Warm-up $WARMUP, measured $DURATION per run; open-loop"
  echo "latencies from each record's intended send time."
  echo
} > "$out"
java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --add-opens java.base/java.util.zip=ALL-UNNAMED \
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED \
  -cp "benchmarks/target/ringraft-benchmarks.jar:benchmarks/target/lib/*" \
  io.ringraft.benchmarks.baseline.PerfBaseline --ringraft-config "$work/member-1.conf" --rows "$ROWS" \
  --window "$WINDOW" --duration "$DURATION" --warmup "$WARMUP" --out "$work/table.md"
cat "$work/table.md" >> "$out"
{
  echo
  echo "Load average when the daemons answered: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} >> "$out"
echo "wrote $out"
