"""The language switch in the sidebar: remembered on the user's account (and in a cookie for the sign-in page)."""

from __future__ import annotations

import reflex as rx

from printer_app import i18n
from printer_app.services.access.users import set_language
from printer_app.state.session import SessionState, requires, with_session


class LanguageState(SessionState):
    @rx.event
    @requires()
    async def switch_language(self, lang: str | list[str]):
        """Store the choice, then reload the page: labels, dates and numbers the server wrote follow at once."""
        chosen = i18n.supported(lang)
        if chosen is None:
            return rx.toast.error(i18n.gettext("That language is not available."))
        await with_session(set_language, user_id=self._user_id, language=chosen)
        self.language = self.language_cookie = chosen
        i18n.set_language(chosen)
        return rx.call_script("window.location.reload()")
