#!/usr/bin/env bash
# Sets up everything dartsweep needs on a fresh Debian machine with Python 3.11:
#   - Debian's dataset-fashion-mnist (real Fashion-MNIST IDX files under /usr/share/datasets/fashion-mnist),
#     when apt is usable (root); skipped with a note otherwise;
#   - a virtual environment in .venv with the pinned dependencies (requirements.lock) and dartsweep itself;
#   - with --cluster, also the `cluster` extra (requirements-cluster.lock: ray[default] for the dashboard and
#     `ray job submit`, boto3 / google-api-python-client for `ray up` on AWS / GCP; docs/cluster.md).
# Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
CLUSTER=0
for arg in "$@"; do
  case "$arg" in
    --cluster) CLUSTER=1 ;;
    *) echo "install.sh: unknown option $arg (allowed: --cluster)" >&2; exit 2 ;;
  esac
done

if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[install] apt: dataset-fashion-mnist"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
  else
    echo "[install] note: not root; Fashion-MNIST (apt package dataset-fashion-mnist) not installed"
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "[install] creating .venv"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
echo "[install] pip: pinned dependencies (torch 2.14.1 + torchvision 0.29.1 run on the CPU; a CUDA build)"
.venv/bin/python -m pip install -q -r requirements.lock
if [ "$CLUSTER" = 1 ]; then
  echo "[install] pip: the cluster extra (requirements-cluster.lock)"
  .venv/bin/python -m pip install -q -r requirements.lock -r requirements-cluster.lock
fi
.venv/bin/python -m pip install -q --no-deps -e .
echo "[install] done: activate with 'source .venv/bin/activate'; try 'dartsweep spaces'"
