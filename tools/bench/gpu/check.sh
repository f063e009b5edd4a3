#!/usr/bin/env bash
# The GPU check of issue #16, run ON the device machine (see README.md beside this file) by the
# last command of tools/bench/gpu/out/COMMANDS.md, after every chunk has been uploaded:
#   1. unpack the runtime (Node.js, onnxruntime-node + CUDA provider, data) and the bundled CLI
#   2. smoke: `ns train --device cuda` on the tiny preset (stops here, with ldd's verdict, if the
#      CUDA provider cannot load)
#   3. the training step timed against PyTorch CUDA (step-bench.mjs: K = 1, loop K = 1, loop K = 4,
#      torch tf32/fp32), cifar10 at batch 128 and mnist at batch 64
#   4. 20 CUDA vs 20 CPU steps of `ns train` from the same seed: max |loss difference|
#   5. `ns train` on the CUDA EP (mnist 300 steps; cifar10 for what its time slot allows) and
#      `ns sample` of 64 images from each, timed
#   6. a summary table (summarize.py), also written to $OUT
# Stages run in order of importance and are skipped, saying so, when the time budget
# (BUDGET_S, default 420 s after unpacking) would be exceeded.
# A dry run on a CPU machine (checks this script, not the GPU), once `out/` is prepared:
#   DEV=cpu SMALL=tiny SMALL_DATA=emoji BIG=emoji BIG_BATCH=8 TRAIN_STEPS=4 AGREE_STEPS=3 \
#     PEER_PYTHON=/usr/bin/python3 BUDGET_S=3000 bash tools/bench/gpu/check.sh
set -uo pipefail
DEV=${DEV:-cuda} SMALL=${SMALL:-mnist} SMALL_DATA=${SMALL_DATA:-mnist} BIG=${BIG:-cifar10}
BIG_BATCH=${BIG_BATCH:-128} TRAIN_STEPS=${TRAIN_STEPS:-300} AGREE_STEPS=${AGREE_STEPS:-20}
PEER_PYTHON=${PEER_PYTHON:-python3}
cd "$(dirname "$0")/../../.." || exit 1
G=tools/bench/gpu
D=$G/out/device # ignored, so it stays on the machine between calls while it is warm
W=${WORK:-/tmp/ns-gpu-work}
OUTDIR=${OUT:-/tmp/ns-gpu-out}
rm -rf "$W"
mkdir -p "$W" "$OUTDIR"
exec > >(tee "$OUTDIR/check.log") 2>&1
T0=$(date +%s)
now() { echo $(($(date +%s) - T0)); }
stage() { echo; echo "=== [$(now) s] $*"; }

stage "unpack"
python3 $G/src/unpack.py extract $G/out/manifest.json $D || exit 1
cp -r $G/out/bundle/. $D/ || exit 1
NODE=$D/bin/node
ns() { "$NODE" "$D/main.mjs" "$@"; }
# The provider dlopens CUDA 13 libraries: those of the torch environment's nvidia-* wheels.
CUDA_LIBS=$("$PEER_PYTHON" -c "
import glob, os
import nvidia
dirs = {os.path.dirname(p) for base in nvidia.__path__
        for p in glob.glob(os.path.join(base, '**', 'lib*.so*'), recursive=True)}
print(':'.join(sorted(dirs)))" 2>/dev/null)
export LD_LIBRARY_PATH="$CUDA_LIBS:/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}"
BUDGET=$(($(now) + ${BUDGET_S:-420}))
fits() { # fits SECONDS NAME: is there time left for a stage of about SECONDS?
  if (($(now) + $1 > BUDGET)); then
    echo "skipped: $2 (needs ~$1 s, $((BUDGET - $(now))) s left)"
    return 1
  fi
}
CPUS=$(nproc)

stage "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv
echo "node $("$NODE" --version); $("$PEER_PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'); $CPUS CPUs"
python3 -c "import json; m = json.load(open('$G/out/manifest.json')); print('manifest:', m['pins'], 'ORT', m['versions']['ortCore'], m['versions']['ortProvider'])"

stage "smoke: ns train --device $DEV (tiny preset, 3 steps)"
if ! timeout 180 "$NODE" "$D/main.mjs" train -p tiny -d emoji -n 3 -b 8 -o "$W/smoke" --device "$DEV" -q; then
  echo "the $DEV execution provider did not run; what the provider library lacks:"
  ldd $D/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so | grep -E 'not found|cuda|cublas|curand'
  for lib in libcudnn.so.9 libcublasLt.so.13 libcudart.so.13 libcurand.so.10; do
    echo "$lib: $(tr ':' '\n' <<<"$LD_LIBRARY_PATH" | while read -r d; do [ -e "$d/$lib" ] && echo "$d"; done | head -1)"
  done
  exit 1
fi

BENCH=("$NODE" "$D/step-bench.mjs" --device "$DEV" --peer torch --python "$PEER_PYTHON" --peer-script $G/src/peer_torch_cuda.py --k 4)
stage "training step vs PyTorch: $BIG, batch $BIG_BATCH"
fits 150 "step bench $BIG" && timeout 240 "${BENCH[@]}" --preset "$BIG" --batch "$BIG_BATCH" --rounds 5 | tee "$W/bench-$BIG.txt"

stage "$DEV vs CPU: $AGREE_STEPS steps of ns train -p $SMALL, same seed (TF32 default, then NVIDIA_TF32_OVERRIDE=0)"
if fits 60 "$SMALL loss agreement"; then
  ns train -p "$SMALL" -d "$SMALL_DATA" -n "$AGREE_STEPS" -b 64 -o "$W/agree-$SMALL-cpu" --device cpu --threads "$CPUS" -q
  ns train -p "$SMALL" -d "$SMALL_DATA" -n "$AGREE_STEPS" -b 64 -o "$W/agree-$SMALL-cuda" --device "$DEV" -q
  NVIDIA_TF32_OVERRIDE=0 ns train -p "$SMALL" -d "$SMALL_DATA" -n "$AGREE_STEPS" -b 64 -o "$W/agree-$SMALL-cuda-fp32" --device "$DEV" -q
fi

stage "training step vs PyTorch: $SMALL, batch 64"
fits 80 "step bench $SMALL" && timeout 150 "${BENCH[@]}" --preset "$SMALL" --batch 64 --rounds 8 | tee "$W/bench-$SMALL.txt"

stage "ns train -p $SMALL on $DEV ($TRAIN_STEPS steps) and ns sample (64 images)"
if fits 70 "$SMALL training"; then
  ns train -p "$SMALL" -d "$SMALL_DATA" -n "$TRAIN_STEPS" -b 64 -o "$W/train-$SMALL" --device "$DEV" -q
  S=$(date +%s.%N)
  # The progress bar goes to a file: the device returns only the output's last 12,000 characters.
  ns sample -r "$W/train-$SMALL" -n 64 --steps 100 -b 64 --device "$DEV" 2>"$W/sample-$SMALL.err"
  tr '\r' '\n' <"$W/sample-$SMALL.err" | tail -n 2
  echo "SAMPLE $SMALL 64 $(python3 -c "import time; print(time.time() - $S)")"
fi

python3 $G/src/make_npz.py "$W/synthetic-32.npz" 32 3 10 2048
stage "$DEV vs CPU: $AGREE_STEPS steps of ns train -p $BIG (batch 4), same seed"
if fits 90 "$BIG loss agreement"; then
  for run in cpu:cpu cuda:$DEV cuda-fp32:$DEV; do
    name=${run%%:*} device=${run##*:} tf32=()
    [ "$name" = cuda-fp32 ] && tf32=(NVIDIA_TF32_OVERRIDE=0)
    env "${tf32[@]}" "$NODE" "$D/main.mjs" train -p "$BIG" -d "$W/synthetic-32.npz" \
      -n "$AGREE_STEPS" -b 4 -o "$W/agree-$BIG-$name" --device "$device" --threads "$CPUS" -q
  done
fi

stage "ns train -p $BIG on $DEV, batch $BIG_BATCH (stopped by SIGINT at its slot's end) and ns sample"
if fits 100 "$BIG training"; then
  SLOT=$((BUDGET - $(now) - 60))
  ((SLOT > 150)) && SLOT=150
  timeout -s INT -k 60 "$SLOT" "$NODE" "$D/main.mjs" train -p "$BIG" -d "$W/synthetic-32.npz" \
    -n "$TRAIN_STEPS" -b "$BIG_BATCH" -o "$W/train-$BIG" --device "$DEV" -q
  S=$(date +%s.%N)
  # The progress bar goes to a file: the device returns only the output's last 12,000 characters.
  ns sample -r "$W/train-$BIG" -n 64 --steps 100 -b 64 --device "$DEV" 2>"$W/sample-$BIG.err"
  tr '\r' '\n' <"$W/sample-$BIG.err" | tail -n 2
  echo "SAMPLE $BIG 64 $(python3 -c "import time; print(time.time() - $S)")"
fi

stage "diagnostic: $BIG step without dropout (no masks to upload every step)"
fits 120 "step bench $BIG without dropout" &&
  timeout 180 "${BENCH[@]}" --preset "$BIG" --batch "$BIG_BATCH" --rounds 4 --dropout off | tee "$W/bench-$BIG-nodrop.txt"

stage "summary"
python3 $G/src/summarize.py "$W" "$OUTDIR/check.log" "$SMALL" "$BIG" | tee "$OUTDIR/summary.md"
cp "$W"/bench-*.txt "$OUTDIR/" 2>/dev/null
for p in "$SMALL" "$BIG"; do cp "$W/train-$p/samples/grid.png" "$OUTDIR/grid-$p.png" 2>/dev/null; done
echo "done in $(now) s"
