"""`lamina doctor`: check the installation, the configuration and the engines."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass

from lamina import config
from lamina._engines import ENGINES, IMPLEMENTED
from lamina._version import __version__

# Final losses of two engines "agree" within this relative difference.
CONSISTENCY_RTOL = 1e-4
# The marker that starts the machine-readable line of `doctor --smoke-only`.
SMOKE_MARKER = "lamina-smoke-result: "
SMOKE_TIMEOUT_S = 600


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "doctor",
        help="check the installation, the configuration and the engine",
        description=(
            "Report the Python and lamina versions, the config files and which one set "
            "each key, the selected engine and its devices, the other engines, and run "
            "a smoke test: logistic regression trained for 20 steps with lamina.ops, which "
            "passes when the loss falls by more than half. Exits 1 when any check fails; "
            "each failure is printed with its fix."
        ),
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="also run the smoke test on every installed engine that lamina supports, "
        "each in its own process, and check that their final losses agree",
    )
    parser.add_argument(
        "--smoke-only",
        action="store_true",
        help="run only the smoke test on the selected engine and print one result line "
        "(used by --all)",
    )
    parser.set_defaults(run=run)


@dataclass
class _Failure:
    check: str
    problem: str
    fix: str


class _Report:
    """Prints the checks as they run and collects the failures."""

    width = 20

    def __init__(self) -> None:
        self.failures: list[_Failure] = []

    def section(self, title: str) -> None:
        print(f"\n{title}")

    def line(self, label: str, text: str) -> None:
        print(f"  {label:<{self.width}}{text}")

    def fail(self, check: str, problem: str, fix: str) -> None:
        self.failures.append(_Failure(check, problem, fix))
        print(f"  {check:<{self.width}}FAILED: {problem}")
        print(f"  {'':<{self.width}}fix: {fix}")


def run(args: argparse.Namespace) -> int:
    # lamina's own "Using ... backend." line would only repeat what the report says.
    os.environ.setdefault("LAMINA_QUIET", "1")
    if args.smoke_only:
        return _smoke_only()
    report = _Report()
    print("lamina doctor")
    report.line("python", f"{platform.python_version()} ({sys.executable})")
    report.line("lamina", f"{__version__} ({os.path.dirname(os.path.dirname(__file__))})")
    settings = _check_config(report)
    selected = settings["backend"].value if settings else None
    engine = _check_engine(report, settings) if settings else None
    if engine is not None:
        _check_devices(report, engine, selected)
    _list_other_engines(report, selected)
    if engine is not None:
        _check_smoke(report, selected)
    if args.all:
        _check_all_engines(report)
    print()
    if report.failures:
        print(f"{len(report.failures)} problem(s) found:")
        for f in report.failures:
            print(f"  - {f.check}: {f.problem}\n    fix: {f.fix}")
        return 1
    print("All checks passed.")
    return 0


def _check_config(report: _Report) -> dict[str, config.Setting] | None:
    report.section("configuration (config files, highest priority first)")
    for cfg in config.config_files():
        report.line(cfg.role, f"{cfg.path} ({'exists' if cfg.exists else 'missing'})")
    try:
        settings = config.resolve(write_home=False)
    except config.ConfigError as e:
        report.fail(
            "config",
            str(e),
            "correct the value as the message says; `lamina config validate` rechecks",
        )
        return None
    report.section("settings (value, and the source that set it)")
    for key in config.KEYS:
        s = settings[key]
        report.line(key, f"{json.dumps(s.value).strip(chr(34))}  from {s.source}")
    return settings


def _check_engine(report: _Report, settings: dict[str, config.Setting]):
    """Import the selected engine; return its lamina backend package, or None."""
    report.section("engine")
    name = settings["backend"].value
    info = ENGINES[name]
    source = settings["backend"].source
    if name not in IMPLEMENTED:
        report.fail(
            "engine",
            f"backend {name!r} (from {source}) has no lamina {info.display} backend in this "
            f"version; available: {', '.join(IMPLEMENTED)}",
            f"lamina config set backend {IMPLEMENTED[0]}  (or LAMINA_BACKEND={IMPLEMENTED[0]})",
        )
        return None
    if not info.installed():
        report.fail(
            "engine",
            f"backend {name!r} (from {source}) needs {info.display}, which is not installed "
            f"in {sys.executable}",
            f"{info.pip_command}  (or choose another backend with LAMINA_BACKEND)",
        )
        return None
    try:
        import lamina.backend

        engine = lamina.backend.engine
    except Exception as e:  # the engine's own import errors are reported, not raised
        report.fail(
            "engine",
            f"importing the {info.display} backend failed: {type(e).__name__}: {e}",
            f"reinstall the engine: {info.pip_command}  (or choose another backend with "
            "LAMINA_BACKEND)",
        )
        return None
    try:
        version = engine.core.engine_version()
    except Exception:
        version = info.version() or "unknown version"
    report.line("selected", f"{info.display} {version} (backend {name!r}, from {source})")
    return engine


def _list_other_engines(report: _Report, selected: str | None) -> None:
    report.section("other engines")
    for name, info in ENGINES.items():
        if name == selected:
            continue
        support = "" if name in IMPLEMENTED else "; no lamina backend for it in this version"
        if info.installed():
            report.line(name, f"installed: {info.module} {info.version() or ''}".strip() + support)
        else:
            report.line(name, f"not installed ({info.pip_command}){support}")


def _check_devices(report: _Report, engine, name: str) -> None:
    display = ENGINES[name].display
    device_names = getattr(getattr(engine, "core", None), "device_names", None)
    if device_names is None:
        report.fail(
            "devices",
            f"lamina's {display} backend does not provide core.device_names()",
            "this lamina version is incomplete: update lamina, or report it",
        )
        return
    try:
        names = list(device_names())
    except Exception as e:
        report.fail(
            "devices",
            f"listing the devices failed: {type(e).__name__}: {e}",
            f"check the {display} installation ({ENGINES[name].pip_command})",
        )
        return
    if not names:
        report.fail("devices", f"{display} sees no device", f"check the {display} installation")
        return
    report.line("devices", ", ".join(names))


def _check_smoke(report: _Report, name: str) -> None:
    from lamina.cli import _smoke

    report.section(f"smoke test (logistic regression, {_smoke.STEPS} gradient steps)")
    try:
        result = _smoke.run()
    except Exception as e:
        report.fail(
            "smoke test",
            f"training failed: {type(e).__name__}: {e}",
            f"the {ENGINES[name].display} backend cannot train yet; choose another backend with "
            f"LAMINA_BACKEND ({', '.join(n for n in IMPLEMENTED if n != name)})",
        )
        return
    if result.passed:
        report.line("smoke test", f"passed: {result.summary()}")
    else:
        report.fail(
            "smoke test",
            f"the loss did not fall by more than {100 * _smoke.REQUIRED_DECREASE:.0f}%: "
            f"{result.summary()}",
            "the engine computes wrong values: reinstall it, or report it with this output",
        )


def _smoke_only() -> int:
    """Run the smoke test on the selected engine; print one machine-readable line."""
    from lamina.cli import _smoke

    out: dict[str, object] = {"backend": None, "passed": False}
    try:
        out["backend"] = config.resolve(write_home=False)["backend"].value
        result = _smoke.run()
        out.update(
            passed=result.passed,
            initial_loss=result.initial_loss,
            final_loss=result.final_loss,
            summary=result.summary(),
        )
    except Exception as e:
        out["error"] = f"{type(e).__name__}: {e}"
    print(SMOKE_MARKER + json.dumps(out))
    return 0 if out["passed"] else 1


def _run_smoke_subprocess(name: str) -> dict:
    env = dict(os.environ, LAMINA_BACKEND=name, LAMINA_QUIET="1")
    cmd = [sys.executable, "-m", "lamina", "doctor", "--smoke-only"]
    try:
        proc = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=SMOKE_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return {"passed": False, "error": f"timed out after {SMOKE_TIMEOUT_S} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(SMOKE_MARKER):
            return json.loads(line[len(SMOKE_MARKER) :])
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"passed": False, "error": f"exit status {proc.returncode}: {tail}"}


def _check_all_engines(report: _Report) -> None:
    report.section("smoke test on every engine (one process each)")
    finals: dict[str, float] = {}
    for name, info in ENGINES.items():
        if name not in IMPLEMENTED:
            report.line(name, "skipped: no lamina backend for it in this version")
            continue
        if not info.installed():
            report.line(name, f"skipped: not installed ({info.pip_command})")
            continue
        out = _run_smoke_subprocess(name)
        if out.get("passed"):
            finals[name] = out["final_loss"]
            report.line(name, f"passed: {out['summary']}")
        elif "error" in out:
            report.fail(
                f"{name} smoke",
                f"failed: {out['error']}",
                f"run: LAMINA_BACKEND={name} lamina doctor",
            )
        else:
            report.fail(
                f"{name} smoke",
                f"the loss did not fall enough: {out.get('summary')}",
                f"run: LAMINA_BACKEND={name} lamina doctor",
            )
    if len(finals) < 2:
        report.line("consistency", "fewer than two engines passed; nothing to compare")
        return
    values = list(finals.values())
    spread = (max(values) - min(values)) / max(abs(v) for v in values)
    listing = ", ".join(f"{n} {v:.6f}" for n, v in finals.items())
    if spread <= CONSISTENCY_RTOL:
        report.line(
            "consistency", f"consistent: final losses {listing} (relative spread {spread:.1e})"
        )
    else:
        report.fail(
            "consistency",
            f"the engines disagree: final losses {listing} (relative spread {spread:.1e} > "
            f"{CONSISTENCY_RTOL:.0e})",
            "an engine's backend computes different values; run the op conformance tests "
            "(make test) to find which",
        )
