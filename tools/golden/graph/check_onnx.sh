#!/usr/bin/env bash
# Validate every kind of model @ns/graph emits with onnx's Python checker (Debian python3-onnx)
# and record the verdicts in packages/graph/fixtures/onnx-checker.json (read by the CI test).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$root/packages/graph" && NS_GRAPH_EMIT_DIR="$tmp" npx jest test/onnx-checker.test.ts --silent)
/usr/bin/python3 "$root/tools/golden/graph/check_onnx.py" "$tmp" "$root/packages/graph/fixtures/onnx-checker.json"
