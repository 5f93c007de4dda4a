"""Trainables beyond the search loop: plain functions ``fn(config: dict, reporter) -> dict`` (no Ray).

* ``select`` — DARTS-PT selection from a search checkpoint (:func:`searchcore.trainables.select.select_trainable`).
* ``random`` — the random-sampling baseline, one uniformly drawn architecture per seed
  (:func:`searchcore.trainables.random_sample.random_trainable`).

The search itself is :func:`searchcore.search.search_trainable`. Trainables that rebuild a search run
live here, outside ``searchcore.selection``, so that the search loop may use the selection rules without
an import cycle.
"""
