"""YAML as a researcher means it: ``1e-3`` is a number, ``yes`` is text, and aliases are refused.

PyYAML implements YAML 1.1, where ``1e-3`` (no dot) is the *string* "1e-3" and ``yes``/``no``/``on``/``off``
are booleans, so ``lr: 1e-3`` silently became text and ``epochs: yes`` became 1. This loader resolves
numbers and booleans as YAML 1.2 does (``1e-3`` float; only ``true``/``false`` booleans) and refuses
anchors/aliases, which sweep and config files never need and which let a few lines expand into billions
of nodes (an "alias bomb") during validation. Every config, sweep file and ``--set`` value goes through it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_FLOAT_12 = re.compile(r"""^(?:
    [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
  | [-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
  | \.[0-9_]+(?:[eE][-+]?[0-9]+)?
  | [-+]?\.(?:inf|Inf|INF)
  | \.(?:nan|NaN|NAN))$""", re.X)
_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class NumbersLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 floats and booleans, and no aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, f"alias *{event.anchor} is not allowed (write the value "
                                              "out; anchors and aliases are refused)", event.start_mark)
        return super().compose_node(parent, index)


NumbersLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in ("tag:yaml.org,2002:float",
                                                                        "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
NumbersLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_12, list("-+0123456789."))
NumbersLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL_12, list("tTfF"))


def load_yaml(text: str) -> Any:
    """Parse ``text`` (raises ``yaml.YAMLError`` with a mark on bad input, aliases included)."""
    return yaml.load(text, Loader=NumbersLoader)  # noqa: S506 - NumbersLoader is a SafeLoader


def compose_yaml(text: str) -> Any:
    """The node tree of ``text`` (for line numbers), with the same rules as :func:`load_yaml`."""
    return yaml.compose(text, Loader=NumbersLoader)
