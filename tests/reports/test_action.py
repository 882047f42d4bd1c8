"""action.yml: its inputs, and its run steps executed as a script on the reference driver.

The ``uses:`` steps (setup-python, upload-artifact, upload-sarif) are GitHub's
and the install step is pip's; the steps that are the action's own logic run
here as GitHub runs them (``bash -eo pipefail``), with the inputs passed
through the environment exactly as the action maps them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from demo_kit import ROOT

ACTION = ROOT / "action.yml"
REFERENCE = ROOT / "fixtures" / "reference"
_EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def _action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def test_the_action_is_composite_with_the_inputs_the_readme_names() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert {"target", "python-version", "options", "expectations", "fail-on-nonconformant",
            "upload-sarif"} <= set(action["inputs"])
    uses = [step["uses"].split("@")[0] for step in action["runs"]["steps"] if "uses" in step]
    assert uses == ["actions/setup-python", "actions/upload-artifact",
                    "github/codeql-action/upload-sarif"]
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]  # inputs only through env
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "uses: " in readme and "badge.json" in readme and "[[expected]]" in readme


def _env(step: dict[str, Any], values: dict[str, str]) -> dict[str, str]:
    """The step's env with ``${{ inputs.x }}`` and ``${{ steps.audit.outputs.x }}`` resolved."""
    resolved = {}
    for name, template in step.get("env", {}).items():
        resolved[name] = _EXPRESSION.sub(lambda match: values[match.group(1)], str(template))
    return resolved


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text("utf-8").splitlines() if line)


@pytest.mark.slow
def test_the_run_steps_audit_the_reference_driver(tmp_path: Path) -> None:
    action = _action()
    values = {f"inputs.{name}": str(spec.get("default", ""))
              for name, spec in action["inputs"].items()}
    values.update({"inputs.target": str(REFERENCE), "inputs.options": "--static --timeout 60",
                   "inputs.allow-incomplete": "true", "inputs.fail-on-nonconformant": "false",
                   "github.action_path": str(ROOT)})
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    base = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output),
            "NO_COLOR": "1",
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    steps = {step["name"]: step for step in action["runs"]["steps"]}

    def run(name: str) -> subprocess.CompletedProcess[str]:
        step = steps[name]
        return subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=tmp_path,
                              env={**base, **_env(step, values)}, capture_output=True,
                              text=True, timeout=900, check=False)

    audit = run("Audit the driver")
    assert audit.returncode == 0, audit.stderr
    outputs = _outputs(output)
    reports = tmp_path / "ivi-conform-reports"
    assert (reports / "report.sarif").is_file() and (reports / "badge.svg").is_file()
    assert outputs["exit-code"] in {"1", "3"}  # static: never conformant

    report = json.loads((reports / "report.json").read_text("utf-8"))
    assert report["audit"]["static_only"] is True
    assert outputs["verdict"] == report["verdict"] != "conformant"
    assert outputs["badge"] == json.loads((reports / "badge.json").read_text("utf-8"))["message"]
    assert outputs["badge"] != "conformant"
    assert summary.read_text("utf-8") == (reports / "summary.md").read_text("utf-8")
    values.update({f"steps.audit.outputs.{key}": value for key, value in outputs.items()})
    assert run("Verdict").returncode == 0  # neither input fails the job
    values.update({"inputs.fail-on-nonconformant": "true", "inputs.allow-incomplete": "false"})
    assert run("Verdict").returncode == int(outputs["exit-code"])
    values["steps.audit.outputs.exit-code"] = "2"
    assert run("Verdict").returncode == 2
