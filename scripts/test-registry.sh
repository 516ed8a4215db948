#!/usr/bin/env bash
# Runs a throwaway OCI registry on 127.0.0.1 for trying 'mldev image push' without a cloud account:
#   scripts/test-registry.sh [PORT]        (default 5000; Ctrl-C stops it and deletes what was pushed)
#   mldev image push 127.0.0.1:5000/mldev-serve:1 --insecure-registry
# Needs Debian's docker-registry package (apt-get install -y docker-registry). The tests start their own.
set -euo pipefail
port="${1:-5000}"
if ! command -v docker-registry >/dev/null 2>&1; then
  echo "test-registry.sh: docker-registry is not installed (apt-get install -y docker-registry)" >&2
  exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/config.yml" <<CONFIG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$port
  secret: test-registry-$RANDOM$RANDOM
  draintimeout: 1s
CONFIG
echo "registry on 127.0.0.1:$port (storage $dir/data); Ctrl-C stops it" >&2
docker-registry serve "$dir/config.yml"
