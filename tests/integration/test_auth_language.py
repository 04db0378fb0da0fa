"""The /auth pages in the visitor's language (the pi_lang cookie, else Accept-Language, else DEFAULT_LANGUAGE), the
English | Русский switch, and the app's look."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.integration.auth_fixtures import (  # noqa: F401  (fixtures)
    PASSWORD,
    MakeClient,
    local_fixture,
    local_sign_in,
    make_client_fixture,
)


def test_the_sign_in_page_is_english_by_default_with_a_link_to_russian(local: TestClient) -> None:
    page = local.get("/auth/login")

    assert '<html lang="en">' in page.text
    assert ">Sign in</button>" in page.text
    assert 'href="/auth/login?lang=ru"' in page.text and ">Русский</a>" in page.text


def test_the_language_link_sets_the_cookie_and_comes_back_without_it(local: TestClient) -> None:
    response = local.get("/auth/login", params={"lang": "ru", "next": "/printers"})

    assert response.status_code == 303
    assert response.headers["location"] == "/auth/login?next=%2Fprinters"
    (cookie,) = [c for c in response.headers.get_list("set-cookie") if c.startswith("pi_lang=")]
    assert cookie.startswith("pi_lang=ru;") and "httponly" not in cookie.lower()
    page = local.get(response.headers["location"])
    assert '<html lang="ru">' in page.text
    assert ">Войти</button>" in page.text and "Имя пользователя" in page.text
    assert 'href="/auth/login?lang=en&amp;next=%2Fprinters"' in page.text


def test_a_refused_sign_in_and_the_sign_out_page_follow_the_cookie(local: TestClient) -> None:
    local.cookies.set("pi_lang", "ru")

    refused = local_sign_in(local, "admin", "wrong password")
    assert refused.status_code == 401
    assert "Неверное имя пользователя или пароль." in refused.text
    assert "Выйти" in local.get("/auth/logout").text
    expired = local.post("/auth/login", data={"csrf_token": "forged", "username": "admin", "password": PASSWORD})
    assert expired.status_code == 403 and "Вход отклонён" in expired.text


def test_a_forged_cookie_falls_back_to_the_default_language(make_client: MakeClient) -> None:
    client = make_client(DEFAULT_LANGUAGE="ru")
    assert ">Войти</button>" in client.get("/auth/login").text
    client.cookies.set("pi_lang", "xx")
    assert ">Войти</button>" in client.get("/auth/login").text
    client.cookies.set("pi_lang", "en")
    assert ">Sign in</button>" in client.get("/auth/login").text


def test_without_the_cookie_the_browser_language_decides(make_client: MakeClient) -> None:
    client = make_client(DEFAULT_LANGUAGE="en")

    def button(accept_language: str) -> str:
        page = client.get("/auth/login", headers={"Accept-Language": accept_language})
        return page.text.split("<button type=submit>", 1)[1].split("</button>", 1)[0]

    assert button("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7") == "Войти"
    assert button("de-DE, en;q=0.5, ru;q=0.9") == "Войти"  # the most preferred language we have
    assert button("de-DE, ru;q=0, en;q=0.1") == "Sign in"  # q=0: "not this one"
    assert button("de, fr;q=0.9") == "Sign in"  # none we have: DEFAULT_LANGUAGE
    assert button("ru;q=abc, *") == "Sign in"  # malformed: ignored
    client.cookies.set("pi_lang", "en")  # a choice made on the switch wins over the browser's preference
    assert button("ru-RU") == "Sign in"
    russian_default = make_client(DEFAULT_LANGUAGE="ru")
    english = russian_default.get("/auth/login", headers={"Accept-Language": "en-GB"})
    assert ">Sign in</button>" in english.text


def test_the_sign_in_page_looks_like_the_app(local: TestClient) -> None:
    local.cookies.set("pi_lang", "ru")
    page = local.get("/auth/login").text

    assert '<div class="brand" id="brand"><svg' in page and "<span>Учёт принтеров</span>" in page  # the sidebar's
    assert "<h1>Войти</h1>" in page
    assert "--accent-9: #0090ff" in page  # the Radix blue accent of rxconfig.py
    assert 'name="viewport" content="width=device-width,initial-scale=1"' in page
    assert '<strong lang="ru" aria-current="true">Русский</strong>' in page
    assert 'href="/auth/login?lang=en" lang="en" hreflang="en" id="lang-en">English</a>' in page
