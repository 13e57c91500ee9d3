"""The language server: the same engine as the CLI, answering an editor over LSP (stdio).

Line and character positions are 0-based in this package only, because LSP says so; the
conversion from the engine's character offsets happens in ``convert.py`` and nowhere else.
"""
