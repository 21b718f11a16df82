"""``python -m tui_tutor``: the same as the ``tui-tutor`` command."""

import sys

from .cli import main

sys.exit(main())
