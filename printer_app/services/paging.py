"""Paging of server-side tables: the page sizes offered, and the page number and size a user may ask for."""

from __future__ import annotations

from printer_app.i18n import gettext
from printer_app.services.errors import DomainValidationError

PAGE_SIZES = (25, 50, 100, 200)


def page_count(total: int, page_size: int) -> int:
    """How many pages a table of `total` rows has (at least one)."""
    return max(1, -(-total // page_size))


def clamp_page(page: int, total: int, page_size: int) -> int:
    """The page to show for a wish: 1 .. the last page there is."""
    return max(1, min(page, page_count(total, page_size)))


def allowed_page_size(page_size: int, default: int) -> int:
    """What a listing uses: the size asked for when it is one of PAGE_SIZES, else `default`."""
    return page_size if page_size in PAGE_SIZES else default


def parse_page_size(value: object) -> int:
    """The rows per page a user chose (the pager sends it as text); anything but one of PAGE_SIZES is refused."""
    size = _whole_number(value)
    if size not in PAGE_SIZES:
        message = gettext(
            "Rows per page must be {sizes} or {last}, not “{value}”",
            sizes=", ".join(str(s) for s in PAGE_SIZES[:-1]),
            last=PAGE_SIZES[-1],
            value=_shown(value),
        )
        raise DomainValidationError({"page_size": message})
    return size


def parse_page(value: object) -> int:
    """A page number a user asked for; not a whole number is refused (the caller clamps it to the pages there are)."""
    page = _whole_number(value)
    if page is None:
        raise DomainValidationError({"page": gettext("“{value}” is not a page number", value=_shown(value))})
    return page


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit() and len(value.strip()) <= 20:
        return int(value.strip())
    return None


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:20] + "…"
