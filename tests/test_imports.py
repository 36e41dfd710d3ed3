import subprocess
import sys


def test_library_does_not_import_prefect() -> None:
    """Orchestration stays in flows/: importing every library module must not pull Prefect in."""
    code = (
        "import sys, pkgutil, importlib, verbatim\n"
        "for m in pkgutil.walk_packages(verbatim.__path__, 'verbatim.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m == 'prefect' or m.startswith('prefect.')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
