"""`make bench`: every benchmark of bench/, one after the other, in this process.

    .venv/bin/python bench/run.py [--quick]

Runs, when present: bench_analyze.py (the NLP stage: speed against jieba.lcut and
SnowNLP, memory, sentiment quality on the held-out split), bench_concerns.py (concern
tagging precision and recall on hand-labelled posts) and bench_scrape.py (the live
path). Each prints its own lines; a benchmark that fails is reported and the others
still run; the exit status is 1 if any failed. `--quick` runs smaller samples (a smoke
test of the benchmarks themselves, not numbers to quote).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

BENCHMARKS: tuple[tuple[str, list[str], list[str]], ...] = (
    # (module, arguments, arguments with --quick)
    ("bench_analyze", [], ["--posts", "300", "--repeat", "2", "--rss-lines", "20000"]),
    ("bench_concerns", [], ["--everyday", "2000"]),
    ("bench_scrape", [], ["--scale", "0.2", "--repeat", "1"]),
)


def run(name: str, argv: list[str]) -> bool:
    """Run one benchmark's `main(argv)`; False if it is present and failed."""
    if not (BENCH / f"{name}.py").is_file():
        print(f"({name}.py is not here: skipped)")
        return True
    started = time.perf_counter()
    try:
        importlib.import_module(name).main(argv)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            print(f"{name} exited with {exc.code}")
            return False
    except Exception:  # noqa: BLE001 (one broken benchmark must not hide the others)
        traceback.print_exc(file=sys.stdout)
        return False
    finally:
        print(f"({name}: {time.perf_counter() - started:.0f} s)", flush=True)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark; 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small samples: checks the benchmarks run")
    args = parser.parse_args(argv)
    failed = []
    for name, full, quick in BENCHMARKS:
        print(f"\n== {name} ==", flush=True)
        if not run(name, quick if args.quick else full):
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
