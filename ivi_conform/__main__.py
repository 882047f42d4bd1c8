"""``python -m ivi_conform``: the ``ivi-conform`` command, for environments without its script."""

from ivi_conform.cli import main

raise SystemExit(main())
