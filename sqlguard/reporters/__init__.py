"""Reporters: ``render(reports, ...) -> str`` for each output format.

They depend only on ``sqlguard.diagnostics`` (and its line index) and the rule pages as data,
never on the engine, so every front door prints exactly the same findings the same way.
"""

from __future__ import annotations

FORMATS = ("text", "concise", "json", "sarif", "github")
