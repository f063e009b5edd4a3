#!/usr/bin/env bash
# Reproduces apps/cli/pretrained/mnist, the weights `ns demo` starts from: the `mnist` RIN preset
# (0.55M parameters) trained on MNIST with the paper's recipe at this resolution (γ(t) = 1 − t,
# b = 1, LAMB, self-conditioning 0.9, label dropout 0.1), EMA weights exported.
# The shipped weights are step 14381 of a 20000-step schedule (stopped for time after 53 minutes
# on the 2-core development machine); STOP_AFTER=… / STEPS=… change that.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${STEPS:-20000}
STOP_AFTER=${STOP_AFTER:-14381}
OUT=${OUT:-runs/pretrain-mnist}
npx -y pnpm@10.34.9 install
npx -y pnpm@10.34.9 build
node apps/cli/dist/main.js train --preset mnist --data mnist --steps "$STEPS" --batch 64 --seed 0 \
  --schedule simple_linear --scale 1 --optimizer lamb --lr 2e-3 --warmup 300 --decay cosine@1 \
  --ema 0.999 --label-dropout 0.1 --self-cond-rate 0.9 --checkpoint-every 1000 --sample-every 2000 \
  --threads 2 --stop-after "$STOP_AFTER" --out "$OUT" --quiet
node tools/recipes/export-pretrained.mjs "$OUT" apps/cli/pretrained/mnist
