#!/usr/bin/env bash
# Peak memory of the CLI uploading one large file to the simulator's library: the streaming
# upload reads 16 MiB chunks from disk, so its memory must not grow with the file.
# Usage: bash bench/upload-memory.sh [size in MiB, default 1024]. Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-1024}"
work="$(mktemp -d)"
trap 'kill "${sim_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$work/big.sbdf"
port=18765
node dist/simulator/index.js --port "$port" > "$work/simulator.log" 2>&1 &
sim_pid=$!
for _ in $(seq 50); do grep -q listening "$work/simulator.log" && break; sleep 0.1; done
cd "$work"
SPOTFIRE_CLIENT_ID=demo-client SPOTFIRE_CLIENT_SECRET=demo-secret \
  /usr/bin/time -f 'peak RSS %M KiB, wall %e s' \
  node "$OLDPWD/dist/cli/index.js" --server-url "http://127.0.0.1:$port" \
  --library-upload "big.sbdf -> /Bench/Big" --timeout 10m --json > result.json 2> stderr.log || true
grep -E 'peak RSS|Uploaded' stderr.log
node -e 'const r=require("./result.json"); console.log(`outcome ${r.outcome}, ${r.uploads[0].bytes} bytes`)'
