"""lineage: where personal data goes, and whether each hop is allowed.

Example:
    >>> import lineage
    >>> audit = lineage.load("inventories/monocollabo").check()
    >>> audit.exit_code()
    1
"""

__version__ = "0.1.0"

from .audit import Audit, check  # noqa: E402
from .model import InventoryError, load  # noqa: E402
from .drawing import draw  # noqa: E402

__all__ = ["Audit", "InventoryError", "check", "load", "__version__"]
from .snapshots import Store, diff, snapshot  # noqa: E402
__all__ += ["Store", "diff", "snapshot"]
from .forms import convert  # noqa: E402
from .forms.template import write_template as template  # noqa: E402
from .model.jsonschema import inventory_schema as schema  # noqa: E402
__all__ += ["convert", "template", "schema"]
