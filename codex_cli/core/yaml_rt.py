"""The one round-trip YAML reader for files codex is handed (`.codex.yaml`, extraction plans).

ruamel.yaml (YAML 1.2: `no` is a word, not false), keeping where each key
was written so that errors can name the line, and refusing anchors and
aliases: a few lines of nested aliases ("billion laughs") expand to
gigabytes, and neither settings nor plans need one. Frontmatter goes
through core.frontmatter (libyaml), which refuses them too.
"""

from __future__ import annotations

from typing import Any

ALIASES_REFUSED = "anchors and aliases (&name, *name) are not allowed"


def reader() -> Any:
    """A `ruamel.yaml.YAML` round-trip reader whose composer refuses anchors and aliases."""
    from ruamel.yaml import YAML
    from ruamel.yaml.composer import Composer, ComposerError
    from ruamel.yaml.events import AliasEvent

    class NoAliases(Composer):
        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.parser.peek_event()
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
                raise ComposerError(None, None, ALIASES_REFUSED, event.start_mark)
            return super().compose_node(parent, index)

    yaml = YAML(typ="rt", pure=True)
    yaml.Composer = NoAliases
    return yaml
