"""The latest web poll of each printer as a GLPI-compatible XML file (docs/web-rules.md §5.5).

`DATA_DIR/xml_exports/<serial reduced to [A-Za-z0-9_-]>.xml` (`printer_<id>.xml` while the serial is unknown),
rewritten by every web poll that produced data: one file per device, so the folder never grows with time and
needs no cleanup of its own. Files are replaced atomically, so a reader never sees half a document.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from printer_app.config import get_settings
from printer_app.models import Printer
from printer_app.models.choices import WebField
from printer_app.services.inventory.device_models import ModelLabel
from printer_app.services.web.parser import glpi_xml_document, xml_export_name

log = logging.getLogger(__name__)
EXPORT_FOLDER = "xml_exports"


def export_dir() -> Path:
    return get_settings().data_dir / EXPORT_FOLDER


def export_path(printer: Printer, fields: Mapping[str, Any]) -> Path:
    """Where this printer's latest web export goes: by the serial the poll (or the database) knows."""
    serial = str(fields.get(WebField.SERIAL_NUMBER) or printer.serial_number or "").strip()
    name = xml_export_name(serial) if serial else f"printer_{printer.id}.xml"
    return export_dir() / name


def write_web_export(printer: Printer, fields: Mapping[str, Any], label: ModelLabel) -> Path | None:
    """Write the export; a disk problem is logged, never allowed to fail the poll. Returns the path written."""
    path = export_path(printer, fields)
    document = glpi_xml_document(printer, fields, model_name=label.model, manufacturer=label.manufacturer)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".xml", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(document)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("cannot write the web export of printer %s to %s: %s", printer.id, path, exc)
        return None
    return path
