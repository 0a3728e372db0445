"""The house itself: the Space configuration agrees with itself, the stages import in one direction, ruff passes."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("spec", "plan", "compose", "perform", "render", "model", "data", "evaluate", "ui")
TEST_TOOLS = {"pytest", "playwright", "ruff"}


def _front_matter() -> dict[str, str]:
    head = (ROOT / "README.md").read_text().split("---\n")[1]
    return {k.strip(): v.strip().strip('"') for k,
            v in (line.split(":", 1) for line in head.splitlines() if ":" in line)}


def _requirements(name: str) -> dict[str, Requirement]:
    lines = [line.split("#")[0].strip() for line in (ROOT / name).read_text().splitlines()]
    reqs = [Requirement(line) for line in lines if line and not line.startswith("-")]
    return {r.name.lower().replace("_", "-"): r for r in reqs}


def test_space_header_app_and_requirements_agree():
    meta, runtime = _front_matter(), _requirements("requirements.txt")
    assert meta["sdk"] == "gradio" and meta["sdk_version"] == str(runtime["gradio"].specifier).removeprefix("==")
    assert (ROOT / meta["app_file"]).is_file()
    assert tuple(map(int, meta["python_version"].split("."))) >= (3, 11)
    assert not TEST_TOOLS & set(runtime)
    dev = _requirements("requirements-dev.txt")
    assert set(dev) >= TEST_TOOLS and not set(dev) & set(runtime)  # the dev file adds to the runtime, via -r
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text()


def test_torch_is_the_cpu_build_from_the_cpu_index():
    text = (ROOT / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text
    assert str(_requirements("requirements.txt")["torch"].specifier).endswith("+cpu")


def test_pyproject_names_the_runtime_packages_and_the_pins_satisfy_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {r.name.lower().replace("_", "-"): r for r in map(Requirement, project["dependencies"])}
    runtime = _requirements("requirements.txt")
    assert set(declared) == set(runtime)
    for name, req in runtime.items():
        pinned = str(req.specifier).removeprefix("==").split("+")[0]
        assert declared[name].specifier.contains(pinned), (name, pinned)


def test_packages_txt_is_what_setup_installs_for_audio():
    packages = (ROOT / "packages.txt").read_text().split()
    assert {"fluidsynth", "fluid-soundfont-gm"} <= set(packages)
    assert "packages.txt" in (ROOT / "scripts" / "setup.sh").read_text()


def test_binaries_go_through_lfs():
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    binary = [f.decode() for f in files if f and (ROOT / f.decode()).is_file()
              and b"\0" in (ROOT / f.decode()).read_bytes()[:8000]]
    attrs = subprocess.run(["git", "check-attr", "filter", "--", *binary], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert binary and all(line.endswith(": filter: lfs") for line in attrs), attrs


def _imports() -> dict[str, set[str]]:
    """Module -> the stori modules it imports, anywhere in it (function-local imports too)."""
    out = {}
    for path in (ROOT / "stori").rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        out[module] = {m for m in found if m == "stori" or m.startswith("stori.")}
    return out


def _unit(module: str) -> str:
    """A stage package, or a top-level module of stori."""
    return module.split(".")[1] if module.count(".") else module


def test_nothing_below_the_cli_imports_it():
    offenders = {m for m, deps in _imports().items() if m not in ("stori.cli", "stori.__main__")
                 and any(d == "stori.cli" or d.startswith("stori.cli.") for d in deps)}
    assert not offenders


def test_stages_import_each_other_without_a_cycle():
    graph: dict[str, set[str]] = {}
    for module, deps in _imports().items():
        graph.setdefault(_unit(module),
                         set()).update(_unit(d) for d in deps if d != "stori" and _unit(d) != _unit(module))
    assert set(STAGES) <= set(graph)
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            assert state.get(nxt) != 1, "import cycle: " + " -> ".join(path + [node, nxt])
            if nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_roles_have_one_order_each():
    from stori.model.tokens import ROLES as TOKEN_ROLES
    from stori.spec.song import COMPOSED_AS, PITCHED_ROLES, ROLES

    # the model's parts are the song's, with the parts it plays as the nearest one it learned (a pad as chords)
    assert set(PITCHED_ROLES) == set(TOKEN_ROLES) - {"drums"} and set(ROLES) == set(TOKEN_ROLES) | set(COMPOSED_AS)
    assert set(COMPOSED_AS.values()) <= set(TOKEN_ROLES)


def test_ruff_passes():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed: bash scripts/setup.sh installs requirements-dev.txt")
    proc = subprocess.run([ruff, "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]

