"""Measure how often each rule is right on real projects: ``python benchmarks/precision.py``.

The projects are listed, with the commit they were measured at, in ``precision_projects.json``.
Their code never enters this repository: ``checkout`` extracts each project's migration folders
from a bare git directory (one brought in with the search tool's ``fetch``, or any clone) into
``--projects`` (default ``/work/projects``), and ``run`` lints them there with the installed
sqlguard, the way a user would (``python -m sqlguard lint --format json --no-cache``).

``run`` prints, per project and overall, the findings per rule and the median findings per
migration file, and writes a review sheet (Markdown) with up to ``--per-rule`` findings of each
rule, drawn with a fixed seed and spread over the projects: file:line, the message and the source
line. A reviewer reads each one and records a verdict in ``precision_verdicts.json``
(``{"<project>:<path>:<line>:<rule>": "right" | "wrong: why"}``); ``run`` then reports per-rule
precision over the judged findings, and marks samples still to be judged.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECTS_FILE = HERE / "precision_projects.json"
VERDICTS_FILE = HERE / "precision_verdicts.json"


@dataclass(frozen=True)
class Finding:
    """One diagnostic of one project, with the source line it points at."""

    project: str
    path: str
    line: int
    column: int
    rule: str
    message: str
    help: str
    source: str

    @property
    def key(self) -> str:
        return f"{self.project}:{self.path}:{self.line}:{self.rule}"


def load_projects() -> list[dict]:
    return json.loads(PROJECTS_FILE.read_text(encoding="utf-8"))["projects"]


def checkout(projects_dir: Path, git_dirs: Path) -> None:
    """Extract each project's folders at its pinned commit from ``git_dirs/<owner>+<name>/repo``."""
    wanted: dict[str, tuple[str, str, set[str]]] = {}
    for project in load_projects():
        name = project.get("checkout", project["name"])
        _, _, folders = wanted.setdefault(name, (project["repo"], project["commit"], set()))
        folders.update(project["folders"])
    for name, (repo, commit, folders) in wanted.items():
        git_dir = git_dirs / repo.replace("/", "+") / "repo"
        target = projects_dir / name
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "--git-dir", str(git_dir), "archive", commit, *sorted(folders)],
            check=True,
            capture_output=True,
        )
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
        print(f"{name}: {repo}@{commit[:12]} -> {target}")


def lint(project: dict, projects_dir: Path) -> tuple[list[Finding], int]:
    """Lint one project's folders; return its findings and how many files were linted."""
    root = projects_dir / project.get("checkout", project["name"])
    command = [sys.executable, "-m", "sqlguard", "lint", "--format", "json", "--no-cache", *project.get("args", [])]
    done = subprocess.run([*command, *project["folders"]], cwd=root, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{project['name']}: sqlguard exited {done.returncode}: {done.stderr.strip()}")
    report = json.loads(done.stdout)
    lines: dict[str, list[str]] = {}
    findings = []
    for item in report["diagnostics"]:
        path = item["path"]
        if path not in lines:
            lines[path] = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
        line = item["start"]["line"]
        source = lines[path][line - 1] if 0 < line <= len(lines[path]) else ""
        findings.append(
            Finding(
                project["name"],
                path,
                line,
                item["start"]["column"],
                item["rule"],
                item["message"],
                item.get("help") or "",
                source.strip(),
            )
        )
    return findings, report["files"]


def sample(findings: list[Finding], per_rule: int, seed: int) -> dict[str, list[Finding]]:
    """Up to ``per_rule`` findings of each rule, taken round-robin over the projects that have
    that rule (so one big project does not fill a rule's sample), each project's order shuffled
    with a fixed seed so the same run draws the same sample."""
    by_rule: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        by_rule[finding.rule][finding.project].append(finding)
    chosen: dict[str, list[Finding]] = {}
    for rule in sorted(by_rule):
        pools = []
        for project in sorted(by_rule[rule]):
            pool = list(by_rule[rule][project])
            random.Random(f"{seed}:{rule}:{project}").shuffle(pool)
            pools.append(pool)
        picked: list[Finding] = []
        while len(picked) < per_rule and any(pools):
            for pool in pools:
                if pool and len(picked) < per_rule:
                    picked.append(pool.pop())
        chosen[rule] = sorted(picked, key=lambda f: (f.project, f.path, f.line))
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["checkout", "run"], nargs="?", default="run")
    parser.add_argument("--projects", type=Path, default=Path("/work/projects"))
    parser.add_argument("--git-dirs", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--per-rule", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--sheet", type=Path, default=HERE / "results" / "precision-samples.md")
    parser.add_argument("--only", help="comma-separated project names")
    args = parser.parse_args()
    if args.command == "checkout":
        checkout(args.projects, args.git_dirs)
        return
    projects = load_projects()
    if args.only:
        projects = [p for p in projects if p["name"] in args.only.split(",")]
    verdicts: dict[str, str] = json.loads(VERDICTS_FILE.read_text()) if VERDICTS_FILE.exists() else {}
    everything: list[Finding] = []
    per_file: list[int] = []
    for project in projects:
        findings, files = lint(project, args.projects)
        everything.extend(findings)
        counts = Counter(f.path for f in findings)
        per_file.extend(counts.get(path, 0) for path in counts)
        per_file.extend([0] * (files - len(counts)))
        rules = Counter(f.rule for f in findings)
        median = statistics.median([counts.get(p, 0) for p in counts] + [0] * (files - len(counts)))
        print(f"{project['name']}: {files} files, {len(findings)} findings, median {median} per file")
        print("   " + ", ".join(f"{rule} {n}" for rule, n in sorted(rules.items())))
    print(f"all: {len(per_file)} files, {len(everything)} findings, median {statistics.median(per_file)} per file")
    chosen = sample(everything, args.per_rule, args.seed)
    totals = Counter(f.rule for f in everything)
    sheet = ["# Precision review sheet", "", "Verdicts live in benchmarks/precision_verdicts.json.", ""]
    print(f"\n{'rule':6} {'found':>6} {'sampled':>8} {'judged':>7} {'right':>6} {'precision':>9}")
    for rule, picked in chosen.items():
        judged = [verdicts[f.key] for f in picked if f.key in verdicts]
        right = sum(1 for verdict in judged if verdict == "right")
        precision = f"{100 * right / len(judged):.0f} %" if judged else "-"
        print(f"{rule:6} {totals[rule]:6} {len(picked):8} {len(judged):7} {right:6} {precision:>9}")
        sheet += [f"## {rule} ({totals[rule]} found, {len(picked)} sampled)", ""]
        for f in picked:
            verdict = verdicts.get(f.key, "TO JUDGE")
            sheet.append(f"- `{f.key}` [{verdict}]  \n  {f.message}  \n  `{f.source[:200]}`")
            if f.help:
                sheet.append("  help: `" + f.help.replace("\n", " ⏎ ")[:300] + "`")
        sheet.append("")
    args.sheet.parent.mkdir(parents=True, exist_ok=True)
    args.sheet.write_text("\n".join(sheet) + "\n", encoding="utf-8")
    print(f"\nreview sheet: {args.sheet}")


if __name__ == "__main__":
    main()
