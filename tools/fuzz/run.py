"""Run the coverage-guided fuzzer (`make fuzz SECONDS=N`): write the seeds, start
tools/fuzz/harness.py under libFuzzer's flags, print what it did and what it found.

    .venv/bin/python tools/fuzz/run.py --seconds 600             # stop at the first finding
    .venv/bin/python tools/fuzz/run.py --seconds 1800 --collect  # go on, one file per kind

The corpus libFuzzer grows lives in --corpus (build/fuzz/corpus: kept between runs, not in
git); findings go to --findings (build/fuzz/findings). The summary gives executions, exec/s,
coverage (libFuzzer's `cov`/`ft` counts) and the findings; the exit status is 1 if there were any.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

HANG_SECONDS = 10  # libFuzzer kills an input running this long (the 1 s rule is in-process)
RSS_LIMIT_MB = 2048  # libFuzzer's own check of the whole process, past the in-process rule


def libfuzzer_flags(args, findings: str) -> list[str]:
    flags = [
        f"-seed={args.seed}",
        f"-timeout={HANG_SECONDS}",
        f"-rss_limit_mb={RSS_LIMIT_MB}",
        f"-max_total_time={args.seconds}",
        f"-artifact_prefix={findings}{os.sep}",
        "-max_len=65536",
        "-print_final_stats=1",
    ]
    if args.runs:
        flags.append(f"-runs={args.runs}")
    return flags


def summary(log: str) -> dict:
    """Executions, exec/s, coverage and peak RSS from libFuzzer's output."""
    stats = dict(re.findall(r"stat::(\w+):\s+(\d+)", log))
    cov = re.findall(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)", log)
    last = cov[-1] if cov else ("0", "0", "0", "0")
    return {
        "executions": int(stats.get("number_of_executed_units", last[0])),
        "exec_per_s": int(stats.get("average_exec_per_sec", 0)),
        "coverage": int(last[1]),
        "features": int(last[2]),
        "corpus": int(last[3]),
        "peak_rss_mb": int(stats.get("peak_rss_mb", 0)),
    }


def findings_in(folder: str) -> list[str]:
    return sorted(n for n in os.listdir(folder) if not n.startswith("."))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--runs", type=int, default=0, help="stop after this many inputs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", default=os.path.join(ROOT, "build", "fuzz", "corpus"))
    parser.add_argument("--findings", default=os.path.join(ROOT, "build", "fuzz", "findings"))
    parser.add_argument("--collect", action="store_true", help="go on after a finding")
    parser.add_argument("--log", help="also write libFuzzer's output here")
    args = parser.parse_args(argv)
    os.makedirs(args.corpus, exist_ok=True)
    os.makedirs(args.findings, exist_ok=True)
    before = set(findings_in(args.findings))
    scratch = tempfile.mkdtemp(prefix="ember-fuzz-")
    try:
        return _run(args, before, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run(args, before: set, scratch: str) -> int:
    seed_folder = os.path.join(scratch, "seeds")
    # in a process of its own: torch stays out of this one (and of the harness's peak memory)
    subprocess.run([sys.executable, os.path.join(HERE, "seeds.py"), seed_folder], check=True)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONHASHSEED="0")
    env["EMBER_FUZZ_INPUT"] = os.path.join(scratch, "input.pt")  # the mapped targets' file
    if args.collect:
        env["EMBER_FUZZ_COLLECT"] = args.findings
    command = [
        sys.executable,
        os.path.join(HERE, "harness.py"),
        *libfuzzer_flags(args, args.findings),
    ]
    done = subprocess.run(
        [*command, args.corpus, seed_folder],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    if args.log:
        with open(args.log, "w") as f:
            f.write(done.stdout)
    found = [n for n in findings_in(args.findings) if n not in before]
    print(summary(done.stdout))
    if done.returncode != 0 or found:
        print(done.stdout[-6000:])
        print(f"exit status {done.returncode}; new findings in {args.findings}: {found}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
