"""Page number and rows-per-page a user asks for: whole numbers only, sizes from the offered list, pages in range."""

from __future__ import annotations

import pytest

from printer_app import i18n
from printer_app.services.errors import DomainValidationError
from printer_app.services.paging import PAGE_SIZES, clamp_page, page_count, parse_page, parse_page_size


@pytest.mark.parametrize("value", ["25", " 50 ", 100, 200.0, "200"])
def test_offered_sizes_are_taken(value: object) -> None:
    assert parse_page_size(value) in PAGE_SIZES


@pytest.mark.parametrize("value", ["-1", "0", 0, "1e20", 1e20, float("inf"), float("nan"), "abc", "", None, True, [25]])
def test_other_sizes_are_refused_with_the_offer(value: object) -> None:
    with pytest.raises(DomainValidationError) as refused:
        parse_page_size(value)
    assert refused.value.errors["page_size"].startswith("Rows per page must be 25, 50, 100 or 200, not “")


@pytest.mark.parametrize(("value", "page"), [("3", 3), (-2, -2), (1e20, 10**20), ("+4", 4), (7.0, 7)])
def test_whole_page_numbers_are_taken_for_clamping(value: object, page: int) -> None:
    assert parse_page(value) == page


@pytest.mark.parametrize("value", ["abc", "1e20", 2.5, None, "", "9" * 5000, {"page": 1}])
def test_other_page_numbers_are_refused(value: object) -> None:
    with pytest.raises(DomainValidationError, match="is not a page number"):
        parse_page(value)


def test_pages_are_clamped_to_the_pages_there_are() -> None:
    assert [clamp_page(p, 60, 25) for p in (-5, 0, 1, 3, 4, 10**30)] == [1, 1, 1, 3, 3, 3]
    assert (page_count(0, 25), page_count(60, 25), clamp_page(9, 0, 25)) == (1, 3, 1)


def test_refusals_in_russian() -> None:
    with i18n.use_language("ru"), pytest.raises(DomainValidationError) as refused:
        parse_page_size("7")
    assert refused.value.errors["page_size"] == "Строк на странице может быть 25, 50, 100 или 200, но не «7»"
    with i18n.use_language("ru"), pytest.raises(DomainValidationError, match="«abc» — не номер страницы"):
        parse_page("abc")
