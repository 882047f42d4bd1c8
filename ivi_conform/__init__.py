"""ivi-conform: the conformance suite for IVI-Python instrument drivers.

The public surface is the command line (``ivi-conform``), the pytest plugin
(``pytest --ivi-driver=TARGET``) and the report format; the modules behind
them are the engine's machinery.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ivi-conform")
except PackageNotFoundError:  # a source checkout that was never installed
    __version__ = "0.0.0+unknown"
