"""A restricted unpickler for the pickled batch formats of CIFAR-10/100 and ImageNet16-120.

Those files are pickles of dicts holding numpy arrays, lists, strings and numbers. A plain ``pickle.load``
runs any code a crafted file names, so a downloaded or shared ``data_batch_1`` could execute on every
node of a cluster. This unpickler resolves only the globals those formats need to rebuild numpy arrays
(``numpy`` reconstruct/frombuffer, ``ndarray``, ``dtype``, scalars, and ``_codecs.encode`` that Python 3
writes for bytes at protocol 2) and refuses everything else, naming it.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

ALLOWED_GLOBALS: frozenset[tuple[str, str]] = frozenset({
    *((m, "_reconstruct") for m in ("numpy.core.multiarray", "numpy._core.multiarray")),
    *((m, "scalar") for m in ("numpy.core.multiarray", "numpy._core.multiarray")),
    *((m, "_frombuffer") for m in ("numpy.core.numeric", "numpy._core.numeric")),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
})


class UnsafePickleError(ValueError):
    """The file names a global that the array formats never need (it may run code)."""


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise UnsafePickleError(f"refused global {module}.{name}: these batch files hold only arrays, lists and "
                                "dicts, so the file is not what it claims (or was crafted to run code)")


def load_array_pickle(path: str | Path, encoding: str = "latin1") -> Any:
    """Unpickle ``path`` admitting only numpy arrays and plain containers; raises ValueError naming the file
    when it is truncated, not a pickle, or names anything else."""
    try:
        with open(path, "rb") as fh:
            return _ArrayUnpickler(fh, encoding=encoding).load()
    except UnsafePickleError as err:
        raise UnsafePickleError(f"{path}: {err}") from None
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError,
            ValueError) as err:
        raise ValueError(f"{path}: not a readable batch file ({type(err).__name__}: {err})") from None
