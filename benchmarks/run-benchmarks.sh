#!/usr/bin/env bash
# Runs the JMH benchmarks; arguments go to JMH, e.g.
#   benchmarks/run-benchmarks.sh LogAppendBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s -prof gc
# Builds the benchmarks jar first if it is missing or older than the sources (offline, no install).
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=benchmarks/target/ringraft-benchmarks.jar
if [[ ! -f "$JAR" ]] || [[ -n "$(find engine/src/main codecs/src/main aeron-transport/src/main benchmarks/src/main -newer "$JAR" -type f -print -quit)" ]]; then
  mvn -q -B -pl benchmarks -am package -DskipTests
fi

JVM_FLAGS=(
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
  --add-opens java.base/java.util.zip=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED
)
exec java "${JVM_FLAGS[@]}" -cp "$JAR:benchmarks/target/lib/*" org.openjdk.jmh.Main "$@"
