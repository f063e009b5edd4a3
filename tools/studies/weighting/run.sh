#!/usr/bin/env bash
# Loss weighting study (issue 14): eps against min_snr@5 on the mnist preset, 1500 steps at batch
# 64, 3 seeds each, FD_mnist of 500 DDPM-100 samples (guidance 0) against 2000 MNIST test images.
# Two sweeps, resumable (run again to continue); the results land in results.md beside this file.
#   JOBS=2 THREADS=2 tools/studies/weighting/run.sh      (after pnpm build; ≈ 30 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=${OUT:-runs/weighting}
for w in eps min_snr5; do
  node apps/cli/dist/main.js sweep --grid "tools/studies/weighting/grid-$w.json" --out "$OUT/$w" \
    --jobs "${JOBS:-2}" --threads "${THREADS:-2}"
done
node tools/studies/weighting/summarize.mjs "$OUT" > tools/studies/weighting/results.md
cat tools/studies/weighting/results.md
