"""COPY ... FROM STDIN is found with pglast's scanner; its data rows, which no SQL scanner reads,
are blanked line by line up to ``\\.``, every other character (and so every offset) kept."""

from __future__ import annotations

import pytest

from sqlguard.frontends.sql import _blank_copy_data


def _blank(text: str, start: str, end: str) -> str:
    """``text`` with the characters from ``start``'s first place through ``end`` blanked (newlines kept)."""
    first = text.index(start)
    last = text.index(end, first) + len(end)
    return text[:first] + "".join(c if c == "\n" else " " for c in text[first:last]) + text[last:]


DUMP = (
    "COPY public.orders (id, note) FROM stdin;\n1\tit's; not SQL $$\n2\t\\N\n\\.\n"
    "COPY e (id) FROM stdin;\n\\.\nSELECT 1;\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (DUMP, _blank(_blank(DUMP, "1\tit's", "\\N\n\\."), "\\.\nSELECT", "\\.")),
        (  # options on later lines: the data starts after the line of the statement's ";"
            "COPY t (a, b)\nFROM stdin\nWITH (FORMAT csv, DELIMITER ';');\nx;1\n\\.\nVACUUM t;\n",
            "COPY t (a, b)\nFROM stdin\nWITH (FORMAT csv, DELIMITER ';');\n   \n  \nVACUUM t;\n",
        ),
        (  # a ";" inside a string is not the statement's end (the old regex blanked the real ";")
            "COPY t FROM stdin WITH (DELIMITER ';')\n;\nx;1\n\\.\nSELECT 1;\n",
            "COPY t FROM stdin WITH (DELIMITER ';')\n;\n   \n  \nSELECT 1;\n",
        ),
        ("\\copy t (a) from stdin\nit's\n\\.\nSELECT 1;\n", "\\copy t (a) from stdin\n    \n  \nSELECT 1;\n"),
        (  # CRLF lines: the "\\." line may end in blanks and a carriage return
            "  copy t from STDIN ;\r\n1\r\n\\. \t\r\nselect 1;\r\n",
            "  copy t from STDIN ;\r\n  \n     \nselect 1;\r\n",
        ),
        ("\\set x 1\nCOPY t FROM stdin;\nrow\n\\.\nSELECT 3;\n", "\\set x 1\nCOPY t FROM stdin;\n   \n  \nSELECT 3;\n"),
        ("COPY t FROM stdin;\n1\n\\.x\n\\.\nSELECT 2;\n", "COPY t FROM stdin;\n \n   \n  \nSELECT 2;\n"),
        # COPY after another statement on its line (the old line regex missed it)
        ("BEGIN; COPY t FROM stdin;\n1\n\\.\nCOMMIT;\n", "BEGIN; COPY t FROM stdin;\n \n  \nCOMMIT;\n"),
        # nothing to blank: no data block, no end to it, or no COPY FROM STDIN at all
        ("COPY t (a) FROM stdin;\n1\tx y\nSELECT 1;\n", None),
        ("COPY t FROM stdin;", None),
        ("COPY t TO stdout;\nSELECT 'stdin';\n", None),
        ("COPY t FROM '/tmp/stdin.csv';\nSELECT 1;\n", None),
        ("SELECT 1; -- copy t from stdin;\nSELECT 2;\n\\.\n", None),
        ("SELECT 'COPY t FROM stdin;\n1\n\\.\n';\n", None),
    ],
)
def test_data_rows_are_blanked_offsets_kept(text: str, expected: str | None) -> None:
    blanked = _blank_copy_data(text)
    assert blanked == (text if expected is None else expected)
    assert len(blanked) == len(text)
