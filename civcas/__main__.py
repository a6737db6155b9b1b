"""Allow ``python -m civcas``."""

import sys

from civcas.cli import main

sys.exit(main())
