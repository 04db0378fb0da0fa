"""Rule checks answer in the user's language (Russian and English), and a check that compares an error's text
still works in Russian."""

from __future__ import annotations

import pytest

from printer_app import i18n
from printer_app.services.errors import DomainValidationError
from printer_app.services.web.fetch import UnsafeTargetError, page_url
from printer_app.services.web.formula import FormulaError, evaluate_formula
from printer_app.services.web.rule_store import RuleInput, clean_actions, clean_rule, formula_problem, regex_problem


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_formula_that_divides_by_zero_on_sample_values_is_not_a_problem(lang: str) -> None:
    with i18n.use_language(lang):
        assert formula_problem("counter / (variable_1 - variable_1)") == ""


def test_rule_problems_in_russian() -> None:
    with i18n.use_language("ru"):
        assert formula_problem("") == "Для вычисляемого поля нужна формула, например variable_1 + counter_a4_bw * 2"
        assert formula_problem("nope + 1") == (
            "Неизвестное имя 'nope': используйте имена полей, например counter или variable_1"
        )
        assert regex_problem("", "x") == ("regex_replacement", "Для замены нужен шаблон")
        with pytest.raises(ValueError, match="Действие 1: пауза должна быть от 0 до 10 секунд"):
            clean_actions([{"type": "wait", "wait": "600"}])
        with pytest.raises(FormulaError, match="деление на ноль"):
            evaluate_formula("1 / 0", {})
        with pytest.raises(UnsafeTargetError, match="Путь URL '//evil' должен быть путём на принтере"):
            page_url("http", "192.0.2.10", "//evil")
        with pytest.raises(DomainValidationError) as refused:
            clean_rule(RuleInput(field_name="nothing"))
        assert refused.value.errors["field_name"] == "Выберите поле, которое заполняет это правило"


def test_rule_problems_in_english() -> None:
    with i18n.use_language("en"):
        assert regex_problem("", "x") == ("regex_replacement", "A replacement needs a pattern")
        with pytest.raises(ValueError, match="Action 1: wait must be between 0 and 10 seconds"):
            clean_actions([{"type": "wait", "wait": "600"}])
