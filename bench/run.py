"""lamina vs Keras 3 vs a hand-written loop, on each engine, in one run.

    python bench/run.py [--engines tensorflow jax] [--steps 50] [--write]

Every measurement runs in its own process (bench/worker.py) with the thread
count pinned to 1 for every row, so the rows compare like with like on a
shared machine. The environment variables set each engine's own pools; the
process is also bound to that many CPUs (on Linux), since XLA's CPU runtime
sizes its pool from the CPUs a process may use and reads no variable for it.
A training row keeps the best of a few timed passes over the data (one `fit`
epoch, or one loop of the hand-written step), then the best of the rounds.
Import rows import from compiled bytecode, as an installed package does: an
unmeasured import writes it first. Prints samples/s (training), microseconds
(single-sample predict), seconds (import), peak RSS, and the ratios; `--write`
also stores the output in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
IMPLS = ("lamina", "keras", "raw")
WORKLOADS = ("mlp", "cnn", "predict", "import")
UNITS = {"mlp": "samples/s", "cnn": "samples/s", "predict": "us/call", "import": "s"}
ENGINE_MODULES = {
    "tensorflow": "tensorflow",
    "jax": "jax",
    "torch": "torch",
    "pytensor": "pytensor",
    "numpy": "autograd",
}
KERAS_ENGINES = ("tensorflow", "jax", "torch", "numpy")


def pinned_env(threads: int) -> dict:
    env = dict(os.environ)
    n = str(threads)
    env.update(
        OMP_NUM_THREADS=n,
        MKL_NUM_THREADS=n,
        OPENBLAS_NUM_THREADS=n,
        TF_NUM_INTRAOP_THREADS=n,
        TF_NUM_INTEROP_THREADS=n,
        TF_CPP_MIN_LOG_LEVEL="3",
        XLA_FLAGS="--xla_cpu_multi_thread_eigen=false",
    )
    return env


def pinned_cpus(threads: int):
    """The CPUs a worker is bound to: the last `threads` this process may use.

    None where the platform cannot bind, or where that is every CPU anyway.
    """
    if not hasattr(os, "sched_getaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    return set(allowed[-threads:]) if threads < len(allowed) else None


def measure(engine: str, impl: str, workload: str, steps: int, threads: int, passes: int):
    if impl == "keras" and engine not in KERAS_ENGINES:
        return None
    if impl == "raw" and workload != "import" and engine not in ("tensorflow", "jax", "torch"):
        return None
    cmd = [
        sys.executable,
        os.path.join(HERE, "worker.py"),
        "--engine",
        engine,
        "--impl",
        impl,
        "--workload",
        workload,
        "--steps",
        str(steps),
        "--passes",
        str(passes),
    ]
    env = pinned_env(threads)
    cpus = pinned_cpus(threads)
    bind = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    if workload == "import":
        # An installed package imports from the bytecode pip wrote at install
        # time. A source checkout under PYTHONDONTWRITEBYTECODE=1 would compile
        # every module on every import, and the row would time the compiler.
        # One unmeasured import first writes the bytecode, for every library alike.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(cmd, capture_output=True, env=env, timeout=1800, preexec_fn=bind)
    result = subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=1800, preexec_fn=bind
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(lines[-1])


def best_of(engine: str, workload: str, args, higher_is_better: bool) -> dict:
    """Each impl's best of `args.repeat` rounds.

    The rounds alternate the impls, so a slow spell of the shared machine
    hits all of them rather than one row; the best of each is the least
    disturbed measurement.
    """
    runs: dict = {impl: [] for impl in IMPLS}
    for _ in range(max(1, args.repeat)):
        for impl in IMPLS:
            runs[impl].append(
                measure(engine, impl, workload, args.steps, args.threads, args.passes)
            )
    best = {}
    for impl, results in runs.items():
        good = [r for r in results if r and "value" in r]
        pick = max if higher_is_better else min
        best[impl] = pick(good, key=lambda r: r["value"]) if good else results[0]
    return best


def _bound(threads: int) -> str:
    cpus = pinned_cpus(threads)
    return f" bound to CPU {','.join(map(str, sorted(cpus)))}" if cpus else ""


def ratio(a, b, higher_is_better: bool) -> str:
    if not a or not b or "value" not in a or "value" not in b:
        return "-"
    r = a["value"] / b["value"] if higher_is_better else b["value"] / a["value"]
    return f"{r:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    installed = [e for e, m in ENGINE_MODULES.items() if importlib.util.find_spec(m)]
    parser.add_argument(
        "--engines",
        nargs="+",
        default=[e for e in ("tensorflow", "jax", "torch") if e in installed],
    )
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=WORKLOADS)
    parser.add_argument(
        "--steps", type=int, default=50, help="training steps of batch 128 per row"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--passes",
        type=int,
        default=3,
        help="timed passes over the data in each training measurement; each keeps its best",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds per row; the rounds alternate lamina, keras and raw, and each keeps its best",
    )
    parser.add_argument(
        "--write", action="store_true", help="store the output in bench/RESULTS.md"
    )
    args = parser.parse_args()

    lines = [
        f"lamina benchmark, {datetime.date.today()}, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, {args.threads} thread(s){_bound(args.threads)}, "
        f"batch 128, Adam, {args.steps} steps a pass, best of {args.passes} passes "
        f"in each of {args.repeat} alternating rounds",
        "",
        "Ratios: lamina/keras and lamina/raw throughput for training (higher is better);",
        "keras/lamina and raw/lamina for predict latency, import time and peak RSS",
        "(so above 1.00x lamina is faster or smaller; below 1.00x it is slower or bigger).",
        "",
        "| engine | workload | lamina | keras 3 | hand-written | vs keras | vs hand-written | RSS lamina/keras/raw MB | RSS vs raw |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for engine in args.engines:
        for workload in args.workloads:
            higher = workload in ("mlp", "cnn")
            rows = best_of(engine, workload, args, higher)

            def cell(r, workload=workload):
                if r is None:
                    return "n/a"
                if "error" in r:
                    return f"error: {r['error']}"
                return f"{r['value']:.4g} {UNITS[workload]}"

            rss = "/".join(
                f"{r['rss_mb']:.0f}" if r and "rss_mb" in r else "-" for r in rows.values()
            )
            line = (
                f"| {engine} | {workload} | {cell(rows['lamina'])} | {cell(rows['keras'])} | {cell(rows['raw'])} "
                f"| {ratio(rows['lamina'], rows['keras'], higher)} | {ratio(rows['lamina'], rows['raw'], higher)} "
                f"| {rss} | {_rss_ratio(rows)} |"
            )
            lines.append(line)
            print(line, flush=True)
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    lines += ["", f"Command: `{command.strip()}`"]
    if args.write:
        with open(os.path.join(HERE, "RESULTS.md"), "w", encoding="utf-8") as f:
            f.write("# Benchmark results\n\n" + "\n".join(lines) + "\n")


def _rss_ratio(rows) -> str:
    lamina, raw = rows.get("lamina"), rows.get("raw")
    if not lamina or not raw or "rss_mb" not in lamina or "rss_mb" not in raw:
        return "-"
    return f"{raw['rss_mb'] / lamina['rss_mb']:.2f}x"


if __name__ == "__main__":
    main()
