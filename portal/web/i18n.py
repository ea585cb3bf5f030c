"""Locale choice and date formatting.

The locale comes from the user's saved choice, then the ``lang`` cookie, then
Accept-Language, then Simplified Chinese. Times are stored in UTC and shown in Asia/Shanghai.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

LANG_COOKIE = "lang"
LANGUAGE_NAMES = {"zh_Hans_CN": "中文", "en": "English"}


def normalise(tag: str | None) -> str | None:
    """Map a language tag (zh-CN, zh-Hans, en-GB, ...) to one of our locales."""
    if not tag:
        return None
    tag = tag.replace("-", "_").lower()
    if tag.startswith("zh"):
        return "zh_Hans_CN"
    if tag.startswith("en"):
        return "en"
    return None


def select_locale() -> str:
    forced = g.get("forced_locale")
    if forced:
        return forced
    # Loading the user can itself translate a message; don't recurse into loading it again.
    if not g.get("_selecting_locale"):
        g._selecting_locale = True
        try:
            if current_user and current_user.is_authenticated and current_user.locale:
                return current_user.locale
        finally:
            g._selecting_locale = False
    from_cookie = normalise(request.cookies.get(LANG_COOKIE))
    if from_cookie:
        return from_cookie
    for tag, _quality in request.accept_languages:
        chosen = normalise(tag)
        if chosen:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang() -> str:
    """The BCP 47 tag for <html lang>: zh-Hans-CN or en."""
    return str(get_locale()).replace("_", "-")


def language_choices():
    return [(code, LANGUAGE_NAMES[code]) for code in current_app.config["LANGUAGES"]]


def init_app(app: Flask) -> None:
    from portal.extensions import babel

    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        html_lang=html_lang, language_choices=language_choices, get_locale=get_locale
    )
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )


def is_supported(code: str) -> bool:
    """One of our languages; anything else (any text at all) is simply not."""
    return code in current_app.config["LANGUAGES"]
