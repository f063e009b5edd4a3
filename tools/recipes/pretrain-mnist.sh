#!/usr/bin/env bash
# Reproduces apps/cli/pretrained/mnist, the weights `ns demo` starts from: the `mnist` RIN preset
# (0.55M parameters, class-conditional) trained on MNIST with the paper's recipe at this
# resolution (γ(t) = 1 − t, b = 1, LAMB, self-conditioning 0.9), label dropout 0.1 for
# classifier-free guidance, EMA 0.9995 with its warm-up; the EMA weights are exported.
# 20000 steps at batch 64: ≈ 75 min of training on one thread of the 2-core development machine
# (0.21–0.23 s per step; two threads are barely faster at this size), within the 3 h the demo's
# weights may cost. STEPS=… / OUT=… / THREADS=… change that.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${STEPS:-20000}
OUT=${OUT:-runs/pretrain-mnist}
npx -y pnpm@10.34.9 install
npx -y pnpm@10.34.9 build
# --resume continues an interrupted recipe (exit 3) from its last checkpoint.
if [ -f "$OUT/config.json" ]; then RESUME=(--resume); else RESUME=(); fi
node apps/cli/dist/main.js train "${RESUME[@]}" --preset mnist --data mnist --steps "$STEPS" \
  --batch 64 --seed 0 --schedule simple_linear --scale 1 --optimizer lamb --lr 2e-3 \
  --warmup 500 --decay cosine@1 --ema 0.9995 --label-dropout 0.1 --self-cond-rate 0.9 \
  --checkpoint-every 2000 --sample-every 4000 --threads "${THREADS:-1}" --out "$OUT" --quiet
node tools/recipes/export-pretrained.mjs "$OUT" apps/cli/pretrained/mnist
