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
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
G=tools/bench/gpu
D=$G/out/device          # ignored, so it stays on the machine between calls while it is warm
W=${WORK:-/tmp/ns-gpu-work}
OUTDIR=${OUT:-/tmp/ns-gpu-out}
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
CUDA_LIBS=$(python3 - <<'EOF'
import glob, os
import nvidia
dirs = {os.path.dirname(p) for base in nvidia.__path__
        for p in glob.glob(os.path.join(base, '**', 'lib*.so*'), recursive=True)}
print(':'.join(sorted(dirs)))
EOF
)
export LD_LIBRARY_PATH="$CUDA_LIBS:/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}"
BUDGET=$(($(now) + ${BUDGET_S:-420}))
fits() { # fits SECONDS NAME: is there time left for a stage of about SECONDS?
  if (($(now) + $1 > BUDGET)); then echo "skipped: $2 (needs ~$1 s, $((BUDGET - $(now))) s left)"; return 1; fi
}
CPUS=$(nproc)

stage "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv
echo "node $("$NODE" --version); $(python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'); $CPUS CPUs"
echo "manifest: $(python3 -c "import json; m=json.load(open('$G/out/manifest.json')); print(m['pins'], m['versions']['ortCore'], m['versions']['ortProvider'])")"

stage "smoke: ns train --device cuda (tiny preset, 3 steps)"
if ! timeout 180 "$NODE" "$D/main.mjs" train -p tiny -d emoji -n 3 -b 8 -o "$W/smoke" --device cuda -q; then
  echo "the CUDA execution provider did not run; what the provider library lacks:"
  ldd $D/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so | grep -E 'not found|cuda|cublas|curand'
  for lib in libcudnn.so.9 libcublasLt.so.13 libcudart.so.13 libcurand.so.10; do
    echo "$lib: $(tr ':' '\n' <<<"$LD_LIBRARY_PATH" | while read -r d; do [ -e "$d/$lib" ] && echo "$d"; done | head -1)"
  done
  exit 1
fi

BENCH=("$NODE" "$D/step-bench.mjs" --device cuda --peer torch --peer-script $G/src/peer_torch_cuda.py --k 4)
stage "training step vs PyTorch CUDA: cifar10, batch 128"
fits 150 "step bench cifar10" && timeout 240 "${BENCH[@]}" --preset cifar10 --batch 128 --rounds 5 | tee "$W/bench-cifar10.txt"

stage "CUDA vs CPU: 20 steps of ns train -p mnist, same seed (TF32 default, then NVIDIA_TF32_OVERRIDE=0)"
if fits 60 "mnist loss agreement"; then
  ns train -p mnist -d mnist -n 20 -b 64 -o "$W/agree-mnist-cpu" --device cpu --threads "$CPUS" -q
  ns train -p mnist -d mnist -n 20 -b 64 -o "$W/agree-mnist-cuda" --device cuda -q
  NVIDIA_TF32_OVERRIDE=0 ns train -p mnist -d mnist -n 20 -b 64 -o "$W/agree-mnist-cuda-fp32" --device cuda -q
fi

stage "training step vs PyTorch CUDA: mnist, batch 64"
fits 80 "step bench mnist" && timeout 150 "${BENCH[@]}" --preset mnist --batch 64 --rounds 8 | tee "$W/bench-mnist.txt"

stage "ns train -p mnist on CUDA (300 steps) and ns sample (64 images)"
if fits 70 "mnist training"; then
  ns train -p mnist -d mnist -n 300 -b 64 -o "$W/train-mnist" --device cuda -q
  S=$(date +%s.%N)
  ns sample -r "$W/train-mnist" -n 64 --steps 100 -b 64 --device cuda
  echo "SAMPLE mnist 64 $(python3 -c "import time; print(time.time() - $S)")"
fi

python3 $G/src/make_npz.py "$W/cifar-synthetic.npz" 32 3 10 2048
stage "CUDA vs CPU: 20 steps of ns train -p cifar10 (batch 4), same seed"
if fits 90 "cifar10 loss agreement"; then
  for run in cpu:cpu cuda:cuda cuda-fp32:cuda; do
    name=${run%%:*} device=${run##*:}
    env $([ "$name" = cuda-fp32 ] && echo NVIDIA_TF32_OVERRIDE=0) "$NODE" "$D/main.mjs" train -p cifar10 -d "$W/cifar-synthetic.npz" \
      -n 20 -b 4 -o "$W/agree-cifar10-$name" --device "$device" --threads "$CPUS" -q
  done
fi

stage "ns train -p cifar10 on CUDA, batch 128 (stopped by SIGINT at its slot's end) and ns sample"
if fits 100 "cifar10 training"; then
  SLOT=$((BUDGET - $(now) - 60)); ((SLOT > 150)) && SLOT=150
  timeout -s INT -k 60 "$SLOT" "$NODE" "$D/main.mjs" train -p cifar10 -d "$W/cifar-synthetic.npz" -n 300 -b 128 \
    -o "$W/train-cifar10" --device cuda -q
  S=$(date +%s.%N)
  ns sample -r "$W/train-cifar10" -n 64 --steps 100 -b 64 --device cuda
  echo "SAMPLE cifar10 64 $(python3 -c "import time; print(time.time() - $S)")"
fi

stage "diagnostic: cifar10 step without dropout (no 400 MB of masks per step to upload)"
fits 120 "step bench cifar10 without dropout" && timeout 180 "${BENCH[@]}" --preset cifar10 --batch 128 --rounds 4 --dropout off | tee "$W/bench-cifar10-nodrop.txt"

stage "summary"
python3 $G/src/summarize.py "$W" "$OUTDIR/check.log" | tee "$OUTDIR/summary.md"
cp "$W"/bench-*.txt "$OUTDIR/" 2>/dev/null
for p in mnist cifar10; do cp "$W/train-$p/samples/grid.png" "$OUTDIR/grid-$p.png" 2>/dev/null; done
echo "done in $(now) s"
