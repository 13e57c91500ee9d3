"""Cutting SQL text into top-level statements, from scratch or from the previous version of it.

A cut runs from the end of the previous one to just after a top-level ``;`` (the last cut may
have none), so cuts cover the text. pglast's scanner finds the ``;`` that are tokens, not inside
quotes, comments or dollar-quoted bodies.

The editor lints a 500-line file on every pause in typing; scanning it all costs ~4 ms of
Python per lint. ``RecutCache`` keeps the cuts of recent texts and scans only what changed: the
scanner is back in its initial state right after a top-level ``;``, so cuts before the first
changed character stand, and once a rescan of the edited part ends on a ``;`` at a place where
the old text also had a cut, every later cut stands too, shifted by the change in length.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import parser

Cut = tuple[int, int]

SEMICOLON = "ASCII_59"


def split_top_level(text: str) -> Iterator[Cut]:
    """Cut ``text`` after each top-level ``;`` (raises pglast's ``ParseError`` on an open quote)."""
    yield from _with_rest(text, *_cut(text))


def _cut(text: str) -> tuple[list[Cut], int]:
    """The ``;``-terminated cuts of ``text`` and where the text after the last of them starts."""
    cuts: list[Cut] = []
    start = 0
    for token in parser.scan(text):
        if token.name == SEMICOLON:
            cuts.append((start, token.end + 1))
            start = token.end + 1
    return cuts, start


class RecutCache:
    """The cuts of the last few texts, to cut a new version by rescanning only its edited part."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        # (text, its ``;``-terminated cuts, where the text after them starts)
        self._recent: list[tuple[str, list[Cut], int]] = []

    def cuts(self, text: str) -> list[Cut]:
        """The same cuts as ``list(split_top_level(text))``, usually from a previous text's."""
        best: tuple[int, int, str, list[Cut], int] | None = None
        for old, old_cuts, old_rest in self._recent:
            if old == text:
                return _with_rest(text, old_cuts, old_rest)
            prefix = _common_prefix(old, text)
            suffix = _common_suffix(old, text, min(len(old), len(text)) - prefix)
            if best is None or prefix + suffix > best[0] + best[1]:
                best = (prefix, suffix, old, old_cuts, old_rest)
        cuts, rest = _cut(text) if best is None else _recut(text, *best)
        self._recent = [(text, cuts, rest), *self._recent[: self.size - 1]]
        return _with_rest(text, cuts, rest)


def _with_rest(text: str, cuts: list[Cut], rest: int) -> list[Cut]:
    """``cuts``, then the text after the last ``;`` as one more cut when it is not just blank."""
    return [*cuts, (rest, len(text))] if text[rest:].strip() else cuts


def _recut(
    text: str, prefix: int, suffix: int, old: str, old_cuts: list[Cut], old_rest: int
) -> tuple[list[Cut], int]:
    """``_cut(text)`` for a ``text`` that shares ``prefix`` leading and ``suffix`` trailing
    characters with ``old``, whose ``;``-terminated cuts are ``old_cuts`` (then ``old_rest``)."""
    kept = [cut for cut in old_cuts if cut[1] <= prefix]
    restart = kept[-1][1] if kept else 0
    shift = len(text) - len(old)
    unchanged_from = len(old) - suffix  # in ``old``: from here on both texts agree
    # The first old ``;`` that lies in the common suffix, after the edit: if scanning ``text``
    # from ``restart`` ends on that very ``;``, every later cut stands, shifted.
    for index, (_, end) in enumerate(old_cuts):
        if end - 1 >= unchanged_from and end + shift > restart:
            window = _try_cut(text[restart : end + shift])
            if window is not None and window[1] == end + shift - restart:
                middle = [(a + restart, b + restart) for a, b in window[0]]
                tail = [(a + shift, b + shift) for a, b in old_cuts[index + 1 :]]
                return kept + middle + tail, old_rest + shift
            break
    rescanned, rest = _cut(text[restart:])
    return kept + [(a + restart, b + restart) for a, b in rescanned], rest + restart


def _try_cut(text: str) -> tuple[list[Cut], int] | None:
    """``_cut``, or None when the scanner stops (a quote the window ends inside of)."""
    try:
        return _cut(text)
    except parser.ParseError:
        return None


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix (slice comparisons run in C; a Python loop would not)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the longest common suffix, at most ``limit`` (so it never overlaps the prefix)."""
    low, high = 0, max(0, limit)
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle :] == b[len(b) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low
