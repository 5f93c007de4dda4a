"""Shared fixtures: the NB201 ground truth lives outside the repo (../shared), never copied in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_NB201_CSV = REPO.parent / "shared" / "data" / "nb201" / "nb201_200ep.csv"


def nb201_csv() -> Path | None:
    path = Path(os.environ.get("DARTSWEEP_NB201_CSV", SHARED_NB201_CSV))
    return path if path.exists() else None


@pytest.fixture(scope="session")
def nb201_table_path() -> str | None:
    """Path of the shared NB201 CSV, or None (tests that need it skip themselves with a reason)."""
    path = nb201_csv()
    return str(path) if path else None


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Tiny test networks run far faster on one thread than on two contending ones (2-core CI)."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
