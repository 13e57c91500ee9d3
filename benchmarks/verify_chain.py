"""Does a verify step cost the same at the end of a long chain as at its start?

Generates a 1,000-step chain shaped like real projects' (`sqlguard.verify.bench.write_real_chain`:
tables with `SELECT *` views, drop-column downs, indexes), verifies it once on a throwaway server
and prints the mean step time of the first and the last hundred steps, and their ratio.

    python benchmarks/verify_chain.py                 # 1,000 steps, auto backend
    python benchmarks/verify_chain.py --steps 300 --backend local
    python benchmarks/verify_chain.py --full-snapshots   # every snapshot a full read, for comparison
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean

from sqlguard.verify.bench import write_real_chain
from sqlguard.verify.run import verify_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--window", type=int, default=100, help="steps averaged at each end")
    parser.add_argument("--backend", default="auto", choices=["auto", "local", "embedded"])
    parser.add_argument("--dsn")
    parser.add_argument("--full-snapshots", action="store_true", help="turn the change log off")
    args = parser.parse_args()
    if args.full_snapshots:
        os.environ["SQLGUARD_VERIFY_FULL_SNAPSHOTS"] = "1"
    with tempfile.TemporaryDirectory(prefix="sqlguard-verify-chain-") as tmp:
        write_real_chain(Path(tmp), args.steps)
        started = time.perf_counter()
        backend_line: list[str] = []
        report = verify_path(
            Path(tmp),
            backend=args.backend,
            dsn=args.dsn,
            on_server=lambda backend, version, detail: backend_line.append(f"{backend} PostgreSQL {version}"),
        )
        total = time.perf_counter() - started
    if not report.ok:
        print(f"the generated chain failed: {report.failure}", file=sys.stderr)
        return 1
    seconds = [step.seconds for step in report.steps]
    first, last = mean(seconds[: args.window]), mean(seconds[-args.window :])
    print(f"{args.steps} steps on {backend_line[0] if backend_line else '?'} in {total:.1f} s")
    print(f"first {args.window} steps: {first * 1000:.1f} ms/step")
    print(f"last {args.window} steps:  {last * 1000:.1f} ms/step  ({last / first:.2f}x the first)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
