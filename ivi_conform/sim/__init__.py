"""Both simulations of ivi-conform's reference instrument, the car-sunroof actuator.

The contract is ``shared/spec/sunroof-actuator-scpi.md``. The project audits
drivers against an instrument it fully controls, so that a failed check points
at the driver and never at a lab bench:

- the live simulator (:class:`LiveSimulator`), a real SCPI server on a
  loopback TCP port that implements the whole contract, timing and fault
  injection included; and
- the embedded profile (:func:`profile_path`, :func:`profile_resource_name`),
  a pyvisa-sim YAML for drivers opened with the ``@sim`` backend, which knows
  only the canonical spellings and one error.

Both are built from one model (:class:`SunroofInstrument`, :data:`MODELS`), so
they cannot drift apart. Each module's docstring records the decisions taken
where the contract is silent: ``instrument`` for behaviour, ``scpi`` for
parsing, ``live`` for the transport and the faults, ``profile`` for the limits
of pyvisa-sim. ``ivi-conform sim`` (``ivi_conform.sim.cli``) runs either from
the command line.
"""

from ivi_conform.sim.instrument import (
    MODELS,
    Axis,
    ErrorCode,
    ModelSpec,
    PanelState,
    SunroofInstrument,
)
from ivi_conform.sim.live import Faults, LiveSimulator, TraceEntry
from ivi_conform.sim.profile import profile_path, profile_resource_name, shipped_profile

__all__ = [
    "MODELS",
    "Axis",
    "ErrorCode",
    "Faults",
    "LiveSimulator",
    "ModelSpec",
    "PanelState",
    "SunroofInstrument",
    "TraceEntry",
    "profile_path",
    "profile_resource_name",
    "shipped_profile",
]
