"""A driver for another instrument: generic exercises use the vendor's profile; the sunroof
ones are not judged (ivi-conform cannot provide that instrument).

The vendor points the audit at its instrument with ``--instrument-profile``
(a pyvisa-sim YAML) and ``--instrument-resource``; the driver is recognised as
one for another instrument because ``supported_instrument_models`` names no
sunroof model.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from ivi_conform.candidate import load
from ivi_conform.catalog import load_catalog
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.engine import run_audit
from ivi_conform.model import Outcome

PROFILE = """
spec: "1.1"
devices:
  acme:
    eom:
      ASRL INSTR:
        q: "\\n"
        r: "\\n"
    error: ERROR
    dialogues:
      - q: "*IDN?"
        r: "Acme Instruments,AC-100,SN1,1.0"
resources:
  ASRL7::INSTR:
    device: acme
"""

DRIVER = '''
import pyvisa


class AcmeUtility:
    def __init__(self, simulate: bool, status: bool) -> None:
        self._simulate, self._status = simulate, status

    @property
    def driver_version(self) -> str:
        return "1.2.3"

    @property
    def simulation_enabled(self) -> bool:
        return self._simulate

    @property
    def query_instrument_status_enabled(self) -> bool:
        return self._status

    @property
    def supported_instrument_models(self) -> tuple[str, ...]:
        return ("AC-100",)


class AcmeDirectIo:
    def __init__(self, resource: object) -> None:
        self._resource = resource

    @property
    def session(self) -> object:
        return self._resource

    def write_string(self, data: str) -> None:
        self._resource.write(data)

    def read_string(self) -> str:
        return self._resource.read()

    def write_bytes(self, data: bytes) -> None:
        self._resource.write_raw(data + b"\\n")

    def read_bytes(self) -> bytes:
        return self._resource.read_raw().rstrip(b"\\n")


class AcmeAc100:
    def __init__(self, resource_name: str, id_query: bool = True, reset: bool = False,
                 options: dict | str | None = None) -> None:
        simulate = options in ({"simulate": True}, "Simulate=True")
        self._resource = None
        if not simulate:
            self._resource = pyvisa.ResourceManager().open_resource(
                resource_name, read_termination="\\n", write_termination="\\n")
        status = isinstance(options, str) and "queryinstrstatus=true" in options.lower()
        self._utility = AcmeUtility(simulate, status)

    @property
    def ivi_utility(self) -> AcmeUtility:
        return self._utility

    @property
    def ivi_direct_io(self) -> AcmeDirectIo:
        return AcmeDirectIo(self._resource)


__all__ = ["AcmeAc100", "AcmeDirectIo", "AcmeUtility"]
'''

GENERIC = {"run-utility-driver-version", "run-constructor-status-off",
           "run-constructor-id-query-accepts", "run-direct-io-strings", "run-direct-io-bytes"}
SUNROOF = {"run-repcap-instance", "run-threads-safe", "run-faults-raise"}


def test_generic_rules_run_on_the_vendors_instrument_and_sunroof_rules_are_not_judged(
    tmp_path: Path,
) -> None:
    source = tmp_path / "src"
    (source / "acmeac100").mkdir(parents=True)
    (source / "acmeac100" / "__init__.py").write_text(textwrap.dedent(DRIVER), encoding="utf-8")
    (source / "pyproject.toml").write_text(textwrap.dedent("""
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "acmeac100"
        version = "1.2.3"
        """), encoding="utf-8")
    profile = tmp_path / "acme.yaml"
    profile.write_text(textwrap.dedent(PROFILE), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    context = AuditContext(load(str(source), work_dir=work), AuditConfig(
        timeout_s=24.0, instrument_resource="ASRL7::INSTR", instrument_profile=profile), work)
    rules = [rule for rule in load_catalog() if rule.id in GENERIC | SUNROOF]
    results = {result.rule.id: result for result in run_audit(context, rules).results}
    for rule_id in GENERIC:
        assert results[rule_id].outcome is Outcome.PASS, (rule_id, results[rule_id].message)
    for rule_id in SUNROOF:
        assert results[rule_id].outcome is Outcome.NOT_JUDGED, (rule_id,
                                                               results[rule_id].message)
        assert "cannot provide that instrument" in results[rule_id].message
