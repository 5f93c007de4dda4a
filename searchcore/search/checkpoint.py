"""Checkpoints that resume to the same trajectory.

A checkpoint directory holds ``state.pt`` (weights, α, masks, optimisers, the epoch, every RNG state,
the split) and ``config.yaml``. Everything is stored as tensors, numbers, strings, lists and dicts,
so it loads with ``torch.load(weights_only=True)``: no arbitrary unpickling. The per-epoch data order
is derived from (seed, epoch) (``search.data``), so the epoch number *is* the data-loader state.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

STATE_FILE = "state.pt"


def rng_state() -> dict[str, Any]:
    py = random.getstate()
    np_state = np.random.get_state()
    state: dict[str, Any] = {
        "python": [py[0], list(py[1]), py[2]],
        "numpy": [np_state[0], torch.as_tensor(np_state[1].astype(np.int64)), int(np_state[2]),
                  int(np_state[3]), float(np_state[4])],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    name, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def seed_everything(seed: int) -> dict[str, int]:
    """Seed Python, NumPy and torch (CPU and CUDA) with ``seed``; returns what was set, for the record."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return {"python": seed, "numpy": seed % 2**32, "torch": seed}


def save_checkpoint(directory: str | Path, state: dict[str, Any], config_yaml: str) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    torch.save({**state, "rng": rng_state()}, directory / STATE_FILE)
    (directory / "config.yaml").write_text(config_yaml)


def load_checkpoint(directory: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    path = Path(directory) / STATE_FILE
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path} (expected {STATE_FILE} written by a search trial)")
    return torch.load(path, map_location=map_location, weights_only=True)
