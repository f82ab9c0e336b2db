"""Makes the shared test doubles (``satellite_test_doubles``) importable from every satellite test folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
