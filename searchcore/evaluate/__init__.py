"""Evaluation: train a found architecture from scratch with a paper's protocol (no Ray here).

* ``config.py`` — :class:`EvalConfig` (typed, rejects unknown keys, YAML round trip; defaults = DARTS' CIFAR
  protocol, each citing its source);
* ``protocols.py`` — the registry of evaluation protocols (override sets with per-key sources);
* ``schedules.py`` — lr schedules per epoch and warm-up; ``data.py`` — train/test batches on the device;
* ``steps.py`` — one rank-agnostic training step and the loss (auxiliary head); ``memory.py`` — peak memory;
* ``distributed.py`` — data-parallel ranks over ``torch.distributed`` (DDP, batch shards, sync BatchNorm);
* ``loop.py`` — :class:`EvalRun` and :func:`evaluate_trainable`, the trainable the harness runs.

Nothing is imported here: the search loop imports ``memory`` from this package, so the package itself stays
free of the evaluation loop (which imports the search loop's helpers). Import the modules themselves.
"""
