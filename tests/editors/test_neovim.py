"""editors/neovim: a headless Neovim loads the documented setup and shows sqlguard's diagnostics.

Neovim polls with ``vim.wait`` until diagnostics arrive (or gives up after a timeout), then
writes them as JSON for the test; the test itself never sleeps.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim (nvim) is not installed")

INIT = """
vim.opt.runtimepath:append({neovim_dir})
require("sqlguard").setup({{
  cmd = {{ {python}, "-m", "sqlguard", "lsp" }},
  cmd_env = {{ PYTHONPATH = {repo} }},
}})
vim.api.nvim_create_autocmd("VimEnter", {{
  callback = function()
    local ok = vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
    local found = {{}}
    for _, d in ipairs(vim.diagnostic.get(0)) do
      table.insert(found, {{ lnum = d.lnum, col = d.col, end_col = d.end_col, code = d.code,
                            source = d.source, message = d.message }})
    end
    local out = io.open({out}, "w")
    out:write(vim.fn.json_encode({{ ok = ok, diagnostics = found }}))
    out:close()
    vim.cmd("qall!")
  end,
}})
"""


@pytest.mark.parametrize("suffix", [".sql", ".pgsql", ".psql"])
def test_headless_neovim_shows_the_finding_at_its_position(tmp_path: Path, suffix: str) -> None:
    migration = tmp_path / f"001_index{suffix}"
    migration.write_text("SELECT 1;\n  CREATE INDEX idx_a ON orders (a);\n", encoding="utf-8")
    out = tmp_path / "diagnostics.json"
    init = tmp_path / "init.lua"
    init.write_text(
        INIT.format(
            neovim_dir=json.dumps(str(REPO / "editors" / "neovim")),
            python=json.dumps(sys.executable),
            repo=json.dumps(str(REPO)),
            out=json.dumps(str(out)),
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data")}
    subprocess.run(
        ["nvim", "--headless", "--clean", "-u", str(init), str(migration)],
        cwd=tmp_path,
        env=env,
        timeout=90,
        check=True,
        capture_output=True,
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["ok"] is True
    assert result["diagnostics"] == [
        {
            "lnum": 1,
            "col": 2,
            "end_col": 34,
            "code": "SG004",
            "source": "sqlguard",
            "message": 'CREATE INDEX on "orders" blocks writes to it until the index is built\n'
            "help: CREATE INDEX CONCURRENTLY idx_a ON orders (a);",
        }
    ]
