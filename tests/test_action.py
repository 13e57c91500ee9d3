"""action.yml, run step by step as the Actions runner would run it, in a git repository in a temp folder.

The runner is emulated just enough: ``${{ inputs.* }}``, ``${{ github.action_path }}`` and
``${{ steps.*.outcome }}`` are filled in, ``if:`` conditions evaluated, each ``run`` goes to
``bash -e`` with the step's env, and ``$GITHUB_OUTPUT``/``$GITHUB_PATH``/``$GITHUB_STEP_SUMMARY``
are real files read back between steps. ``uses:`` steps (the SARIF upload) cannot run here;
the test checks what they would be given. The install step really builds and installs this
checkout into a fresh virtual environment (about 10 s).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.cli.test_changed_since import NEW_INDEX, OLD_INDEX, TABLE, commit, git
from tests.conftest import REPO
from tests.reporters.test_reporters import validate_sarif

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Runner:
    """A tiny stand-in for the Actions runner, enough for a composite action's own steps."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str]) -> None:
        self.workspace = workspace
        self.temp = temp
        self.inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | inputs
        self.outcomes: dict[str, str] = {}
        self.outputs: dict[str, dict[str, str]] = {}
        self.path_file = temp / "github_path"
        self.summary_file = temp / "step_summary.md"
        self.path_file.write_text("")
        self.summary_file.write_text("")
        self.ran: dict[str, subprocess.CompletedProcess[str]] = {}
        self.skipped: list[dict[str, Any]] = []

    def value(self, expression: str) -> str:
        if expression.startswith("inputs."):
            return self.inputs[expression.removeprefix("inputs.")]
        if expression == "github.action_path":
            return str(REPO)
        step, _, field = expression.removeprefix("steps.").partition(".")
        if field == "outcome":
            return self.outcomes.get(step, "")
        raise AssertionError(f"action.yml uses an expression this test does not know: {expression}")

    def substitute(self, text: str) -> str:
        return _EXPRESSION.sub(lambda match: self.value(match.group(1)), text)

    def condition(self, expression: str) -> bool:
        """``always()``, ``&&``, ``==``/``!=`` against quoted strings: what action.yml uses."""
        python = re.sub(r"(inputs|steps)\.[\w.-]+", lambda m: repr(self.value(m.group(0))), expression)
        python = python.replace("always()", "True").replace("&&", " and ").replace("||", " or ")
        return bool(eval(python, {"__builtins__": {}}))  # the test's own file, not user input

    def run(self) -> None:
        for step in ACTION["runs"]["steps"]:
            if "if" in step and not self.condition(step["if"]):
                self.outcomes[step.get("id", "")] = "skipped"
                continue
            if "uses" in step:
                self.skipped.append(step)
                continue
            self.run_step(step)

    def run_step(self, step: dict[str, Any]) -> None:
        assert step["shell"] == "bash"
        output_file = self.temp / f"output-{len(self.ran)}"
        output_file.write_text("")
        extra_path = [line for line in self.path_file.read_text().splitlines() if line]
        env = {
            **os.environ,
            "PATH": os.pathsep.join([*reversed(extra_path), os.environ["PATH"]]),
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_PATH": str(self.path_file),
            "GITHUB_STEP_SUMMARY": str(self.summary_file),
            "GITHUB_WORKSPACE": str(self.workspace),
            "NO_COLOR": "1",
            **{name: self.substitute(str(value)) for name, value in step.get("env", {}).items()},
        }
        env.pop("VIRTUAL_ENV", None)
        script = self.substitute(step["run"])
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script],
            cwd=self.workspace, env=env, capture_output=True, text=True, timeout=600, check=False,
        )
        self.ran[step["id"]] = done
        self.outcomes[step["id"]] = "success" if done.returncode == 0 else "failure"
        self.outputs[step["id"]] = dict(
            line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
        )
        if done.returncode != 0 and step["id"] != "annotate":
            raise AssertionError(f"step {step['id']} failed:\n{done.stdout}\n{done.stderr}")


def test_action_installs_writes_sarif_and_annotates_changed_files(tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    workspace.mkdir()
    git(workspace, "init", "-q", "-b", "main")
    commit(workspace, {"db/0001_table.sql": TABLE, "db/0002_old_index.sql": OLD_INDEX}, "base")
    git(workspace, "checkout", "-q", "-b", "feature")
    commit(workspace, {"db/0003_new_index.sql": NEW_INDEX}, "new index")
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    runner = Runner(
        workspace,
        temp,
        {"paths": "db", "changed-since": "main", "args": "--select SG004", "python": sys.executable,
         "upload-sarif": "true"},
    )
    runner.run()

    assert runner.ran["install"].stdout.strip().endswith("sqlguard, version 0.1.0")
    venv_bin = temp / "sqlguard-venv" / "bin"
    assert runner.path_file.read_text().strip() == str(venv_bin)
    installed = subprocess.run(
        [str(venv_bin / "python"), "-c", "import sqlguard.reporters.json as j; print(j.SCHEMA_PATH.is_file())"],
        capture_output=True, text=True, check=True,
    )
    assert installed.stdout.strip() == "True", "the wheel ships the JSON Schema"

    sarif = json.loads((workspace / "sqlguard.sarif").read_text())
    validate_sarif(sarif)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert uris == ["db/0002_old_index.sql", "db/0003_new_index.sql"], "SARIF covers every file"
    assert runner.outputs["sarif"] == {"sarif-file": "sqlguard.sarif"}

    annotate = runner.ran["annotate"]
    assert annotate.returncode == 1, annotate.stderr
    assert [line.split(",")[0] for line in annotate.stdout.splitlines()] == [
        "::error file=db/0003_new_index.sql",
        "sqlguard: 1 error in 1 of 1 file; only files changed since main are reported "
        "(1 finding in unchanged files not shown)",
    ]
    assert runner.outputs["annotate"] == {"exit-code": "1"}
    assert runner.summary_file.read_text().startswith("## sqlguard\n")

    (upload,) = runner.skipped  # runs on GitHub only; here: what it would be given
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert runner.substitute(upload["with"]["sarif_file"]) == "sqlguard.sarif"


def test_upload_is_off_unless_asked_and_sarif_can_be_turned_off(tmp_path: Path) -> None:
    runner = Runner(tmp_path, tmp_path, {"sarif-file": ""})
    steps = {step.get("id", step["name"]): step for step in ACTION["runs"]["steps"]}
    assert not runner.condition(steps["sarif"]["if"])
    runner.outcomes["sarif"] = "skipped"
    assert not runner.condition(steps["Upload SARIF"]["if"])
    default = Runner(tmp_path, tmp_path, {})
    default.outcomes["sarif"] = "success"
    assert not default.condition(steps["Upload SARIF"]["if"]), "upload-sarif defaults to false"
