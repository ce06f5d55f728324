"""Site registry: the census's own forms (附件3 sites, 附件4 columns) → site and column documents.

result = parse_files(["sites.csv", "columns.xlsx"])   # pure
summary = import_into(store, result)                   # upsert sites, replace columns
"""

from pathlib import Path

from xunjian.registry.importer import RegistryStore, import_into
from xunjian.registry.model import ImportResult, ImportSummary, RegistryError
from xunjian.registry.parse import default_site_type, parse_files

TEMPLATES = Path(__file__).parent / "templates"  # header-only forms: sites.csv, columns.csv

__all__ = [
    "TEMPLATES",
    "ImportResult",
    "ImportSummary",
    "RegistryError",
    "RegistryStore",
    "default_site_type",
    "import_into",
    "parse_files",
]
