"""Calculated web fields (docs/web-rules.md §5.3): arithmetic over other fields' values, parsed safely, never `eval`-ed.

A formula names other rules by field name (`variable_1 + counter_a4_bw * 2`); `rule_<id>` names are accepted too.
Only numbers, names, `+ - * / // % **`, unary `+ -` and parentheses are allowed; anything else is rejected before
evaluation. Sizes are capped so a formula cannot make the process build enormous numbers.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping

from printer_app.i18n import gettext

MAX_FORMULA_LENGTH = 500
MAX_EXPONENT = 64
MAX_MAGNITUDE = 10**30  # far above any page counter; stops runaway products and powers
_ALLOWED_CHARS = re.compile(r"[A-Za-z0-9_\s+\-*/%().]*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Number = int | float
_BINARY: dict[type[ast.operator], Callable[[Number, Number], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Number], Number]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}


class FormulaError(ValueError):
    """The formula is malformed, uses something not allowed, or cannot be computed with these values."""


def formula_names(formula: str) -> list[str]:
    """The variable names a formula mentions, in order of first appearance (for "missing source" checks)."""
    seen: dict[str, None] = {}
    for name in _NAME.findall(formula or ""):
        seen.setdefault(name, None)
    return list(seen)


def evaluate_formula(formula: str, values: Mapping[str, Number]) -> int:
    """The formula's value truncated to an integer; raises FormulaError with a readable reason."""
    text = (formula or "").strip()
    if not text:
        raise FormulaError(gettext("empty formula"))
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(gettext("formula longer than {n} characters", n=MAX_FORMULA_LENGTH))
    if not _ALLOWED_CHARS.fullmatch(text):
        bad = sorted({c for c in text if not _ALLOWED_CHARS.fullmatch(c)})
        raise FormulaError(gettext("formula contains characters that are not allowed: {chars}", chars=" ".join(bad)))
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise FormulaError(gettext("formula is not a valid arithmetic expression")) from None
    try:
        result = _eval(tree.body, values)
    except ZeroDivisionError:
        raise FormulaError(gettext("division by zero")) from None
    except RecursionError:
        raise FormulaError(gettext("formula is nested too deeply")) from None
    except OverflowError:
        raise FormulaError(gettext("result too large")) from None
    if isinstance(result, float) and not math.isfinite(result):
        raise FormulaError(gettext("result is not a finite number"))
    return int(result)


def _eval(node: ast.AST, values: Mapping[str, Number]) -> Number:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(gettext("only numbers may appear as constants"))
        return _checked(node.value)
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise FormulaError(gettext("unknown variable '{name}'", name=node.id))
        return _checked(values[node.id])
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand, values))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Pow):
            _check_power(left, right)
        return _checked(_BINARY[type(node.op)](left, right))
    raise FormulaError(gettext("'{name}' is not allowed in a formula", name=type(node).__name__))


def _check_power(base: Number, exponent: Number) -> None:
    if abs(exponent) > MAX_EXPONENT:
        raise FormulaError(gettext("exponent larger than {n}", n=MAX_EXPONENT))
    if base and exponent > 0 and exponent * math.log10(abs(base)) > math.log10(MAX_MAGNITUDE):
        raise FormulaError(gettext("result too large"))


def _checked(value: Number) -> Number:
    if isinstance(value, complex):  # a negative number to a fractional power
        raise FormulaError(gettext("result is not a real number"))
    if abs(value) > MAX_MAGNITUDE:
        raise FormulaError(gettext("result too large"))
    return value
