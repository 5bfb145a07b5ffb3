#!/usr/bin/env bash
# GPU benchmark for a lent device machine (one short run): engine bf16/fp16 vs the HF pipeline.
#   bash benchmarks/gpu.sh        -> benchmarks/results/throughput_gpu.json (copied to $OUT if set)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q torch==2.13.0 && .venv/bin/pip install -q -e ".[dev]"
fi
nvidia-smi --query-gpu=name,memory.total --format=csv
.venv/bin/python -m pytest -q tests/test_classifier.py -k "not int8"
.venv/bin/python benchmarks/throughput.py --device cuda --articles 2000 --skip-scaling
if [ -n "${OUT:-}" ]; then cp benchmarks/results/throughput_gpu.json "$OUT/"; fi
