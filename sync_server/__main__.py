"""``python -m sync_server``: the same as the ``sync-server`` command."""

import sys

from .cli import main

sys.exit(main())
