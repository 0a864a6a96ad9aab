"""Command palette entries ("area: verb") built from the action registry; each says which
key does the same, so the palette also teaches the keys."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from themecoder.tui.actions import FILTER_SHORTCUTS, all_actions, key_label

if TYPE_CHECKING:
    from themecoder.tui.app import CodingApp


class CodingCommands(Provider):
    """Every palette-named action, plus the status filters and light/dark."""

    def _entries(self) -> list[tuple[str, str, str]]:
        """``(name, action, help)`` for each entry; the help names the keys."""
        keymap: dict[str, str] = getattr(getattr(self, "app", None), "keymap", None) or {}
        out = [(a.palette, a.action, f"key {key_label(keymap.get(a.id, a.keys))}")
               for a in all_actions() if a.palette]
        out += [(name, f"status_filter('{status}')", f"Show {name.split(': ')[1]}")
                for name, status in FILTER_SHORTCUTS]
        out.append(("filter: double-coding sample", "sample_filter",
                    "Show my double-coding sample (coded blind)"))
        return sorted(out)

    async def _run(self, action: str) -> None:
        app: CodingApp = self.app  # type: ignore[assignment]
        await app.run_palette_action(action)

    async def discover(self) -> Hits:
        for name, action, help_text in self._entries():
            yield DiscoveryHit(name, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, action),
                          text=name, help=help_text)
