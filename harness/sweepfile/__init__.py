"""Sweep files: a preset plus overrides plus a grid over dotted config keys, expanded into trials.

A sweep file (YAML, see docs/sweeps.md) names a trainable, a method preset, a space and a data set,
fixed overrides (``set``), a cartesian ``grid`` and ``zip`` groups whose lists move together (the
big_vision sweep idiom: product and zip over dotted keys). Everything is validated before anything
starts, and every error names the file, the line, the key and what is allowed.

One job per module, in dependency order: :mod:`.yaml_lines` (YAML with line numbers), :mod:`.model`
(the typed file and the expanded sweep), :mod:`.keys` (key checks and error messages), :mod:`.naming`
(trial ids), :mod:`.axes` (grid and zip axes), :mod:`.chaining` (``after:``: the search trials a
sweep starts from), :mod:`.tuning` (``scheduler``/``search_alg``/``callbacks``), :mod:`.expand` (axes ->
validated trial configs), :mod:`.load` (the entry points).
This file imports nothing, so importing one module never drags in the others.
"""
