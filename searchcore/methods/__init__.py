"""A method is a choice on orthogonal axes (see ``searchcore.config.MethodConfig``):

* weight-step forward: ``mixed`` | ``edge_mutation`` (``mutation.py``, ``schedules.py``)
* optimisation level: ``bilevel`` | ``single`` (``searchcore.search.steps``)
* α activation: ``softmax`` | ``sigmoid`` | ``uniform`` (``activations.py``)
* α-loss regulariser: ``none`` | ``entropy`` | ``beta_decay`` (``regularizers.py``)
* α optimiser, including ``fix_alpha``

Paper presets (``presets.py``) are named override dictionaries of those choices.
"""
