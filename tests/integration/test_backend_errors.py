"""An event handler that fails unexpectedly: the traceback goes to the log, the user gets one line without it."""

from __future__ import annotations

import logging

import pytest

from tests.integration.state_fixtures import app_db  # noqa: F401


def test_the_app_answers_a_failed_event_with_a_short_notice(app_db: str, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    from printer_app.printer_app import app

    try:
        {}["secret-internal-key"]
    except KeyError as exc:
        with caplog.at_level(logging.ERROR, logger="printer_app.state.errors"):
            notice = repr(app.backend_exception_handler(exc))
    record = next(r for r in caplog.records if r.name == "printer_app.state.errors")
    ref = record.args[0]
    assert "Something went wrong on the server (ref " + ref in notice and "The page still works" in notice
    assert "secret-internal-key" not in notice and "KeyError" not in notice and "Traceback" not in notice
    assert record.exc_info and record.exc_info[0] is KeyError  # the log keeps the whole traceback
    app._validate_exception_handlers()  # Reflex accepts its signature


def test_the_notice_is_in_the_language_of_the_event(app_db: str) -> None:  # noqa: F811
    from printer_app import i18n
    from printer_app.printer_app import app

    with i18n.use_language("ru"):
        notice = repr(app.backend_exception_handler(RuntimeError("boom")))
    assert "На сервере произошла ошибка (код " in notice and "boom" not in notice
