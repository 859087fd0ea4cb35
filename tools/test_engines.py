"""Run the test suite once per engine, several engines at a time.

`make test` calls this. Each engine's pass is its own pytest process (the
engine is fixed per process by LAMINA_BACKEND). Most of a pass is
single-threaded work (Python, XLA and C compilers), so on a machine with N
cores, N passes side by side take about 1/N of the time of running them one
after the other.

A pass run beside others writes to a log that is printed whole when the
pass ends, so the output stays readable; with --jobs 1 the output streams.
The exit status is 1 when any pass failed.

    python tools/test_engines.py [--jobs N] ENGINE... [-- PYTEST_ARGS...]
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time

# Minutes one pass took on a 2-core machine: the longest start first, so the
# short passes fill in at the end.
_TYPICAL_MINUTES = {"jax": 12, "pytensor": 10, "tensorflow": 8, "torch": 3, "numpy": 2}


def _header(engine: str) -> str:
    return f"=== lamina test suite on {engine} ==="


def _command(pytest_args: list[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", *pytest_args]


def _environment(engine: str) -> dict[str, str]:
    return dict(os.environ, LAMINA_BACKEND=engine)


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _run_streaming(engines: list[str], pytest_args: list[str]) -> dict[str, tuple[int, float]]:
    results = {}
    for engine in engines:
        print(_header(engine), flush=True)
        start = time.monotonic()
        code = subprocess.call(_command(pytest_args), env=_environment(engine))
        results[engine] = (code, time.monotonic() - start)
    return results


def _run_side_by_side(
    engines: list[str], pytest_args: list[str], jobs: int
) -> dict[str, tuple[int, float]]:
    waiting = sorted(engines, key=lambda e: -_TYPICAL_MINUTES.get(e, 5))
    running: dict[str, tuple[subprocess.Popen, object, float]] = {}
    results = {}
    with tempfile.TemporaryDirectory(prefix="lamina-test-logs-") as logs:
        try:
            while waiting or running:
                while waiting and len(running) < jobs:
                    engine = waiting.pop(0)
                    log = open(os.path.join(logs, f"{engine}.log"), "w+b")
                    process = subprocess.Popen(
                        _command(pytest_args),
                        env=_environment(engine),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                    )
                    running[engine] = (process, log, time.monotonic())
                    print(f"started the {engine} pass", flush=True)
                time.sleep(0.5)
                for engine, (process, log, start) in list(running.items()):
                    if process.poll() is None:
                        continue
                    del running[engine]
                    results[engine] = (process.returncode, time.monotonic() - start)
                    print(_header(engine), flush=True)
                    log.seek(0)
                    sys.stdout.flush()
                    while chunk := log.read(1 << 16):
                        sys.stdout.buffer.write(chunk)
                    sys.stdout.buffer.flush()
                    log.close()
        finally:
            for process, log, _ in running.values():
                process.kill()
                process.wait()
                log.close()
    return results


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, pytest_args = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="passes run at once (default: the number of cores)",
    )
    parser.add_argument("engines", nargs="+", help="engines to test, e.g. tensorflow jax")
    options = parser.parse_args(argv)
    if options.jobs < 1:
        parser.error(f"--jobs must be 1 or more, got {options.jobs}")
    jobs = min(options.jobs, len(options.engines))
    if jobs == 1:
        results = _run_streaming(options.engines, pytest_args)
    else:
        print(
            f"running {len(options.engines)} engine passes, {jobs} at a time: "
            f"python {shlex.join(_command(pytest_args)[1:])}",
            flush=True,
        )
        results = _run_side_by_side(options.engines, pytest_args, jobs)
    print("=== lamina test suite: summary ===")
    for engine in options.engines:
        code, seconds = results[engine]
        verdict = "passed" if code == 0 else f"FAILED (exit {code})"
        print(f"{engine:>12}: {verdict} in {_minutes(seconds)}")
    return 0 if all(code == 0 for code, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
