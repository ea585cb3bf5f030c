"""Locale choice and date formatting.

The locale comes from the user's saved choice, then the ``lang`` cookie, then
Accept-Language, then Simplified Chinese. Times are stored in UTC and shown in Asia/Shanghai,
in one format: 2026年12月3日 14:30 (``|datetime``; no seconds), and what happened within the
day as "3 小时前" (``|ago``, with the full time as its title); a deadline as
12月4日（周五）17:00 前 (``|deadline``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from babel import Locale
from babel.dates import get_date_format, get_datetime_format, get_time_format, parse_pattern
from flask import Flask, current_app, g, request
from flask_babel import format_date, format_datetime, get_locale, ngettext, pgettext
from flask_babel import gettext as _
from flask_login import current_user

from portal.clock import SHANGHAI, day_end, utcnow
from portal.web.catalogue import catalogue
from portal.web.labels import locale_code
from portal.workdays import OfficeHours

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


# Formats whose patterns have no zone name, so the zone's name cannot differ by library.
FAST_DATETIME_FORMATS = ("short", "medium")


@lru_cache(maxsize=32)
def _datetime_patterns(locale_code: str, fmt: str):
    locale = Locale.parse(locale_code)
    return (locale, get_datetime_format(fmt, locale=locale).replace("'", ""),
            get_time_format(fmt, locale=locale), get_date_format(fmt, locale=locale))


def format_local_datetime(value: datetime, fmt: str = "medium") -> str:
    """What Flask-Babel's format_datetime(value, fmt) shows when the zone is Asia/Shanghai, at
    a third of the cost: the locale's patterns are looked up once, not on every call."""
    if fmt not in FAST_DATETIME_FORMATS:
        return format_datetime(value, fmt)
    locale, template, time_pattern, date_pattern = _datetime_patterns(str(get_locale()), fmt)
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(SHANGHAI)
    return (template.replace("{0}", time_pattern.apply(local.timetz(), locale))
            .replace("{1}", date_pattern.apply(local.date(), locale)))


# The names a template may give for "the date and time": all of them the one format.
ONE_FORMAT_NAMES = (None, "short", "medium", "long")
RECENT = timedelta(hours=24)
ZERO = timedelta(0)


@lru_cache(maxsize=32)
def _compiled(locale_code: str, pattern: str):
    return Locale.parse(locale_code), parse_pattern(pattern)


def format_moment(value: datetime) -> str:
    """The one way a moment is shown: 2026年12月3日 14:30, "3 Dec 2026, 14:30" (Shanghai)."""
    # The pattern is the catalogue's, so each language writes the date its own way.
    pattern = pgettext("the one date and time format (a Babel pattern)", "d MMM y, HH:mm")
    locale, compiled = _compiled(str(get_locale()), pattern)
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(SHANGHAI)
    return compiled.apply(local, locale)


def format_day(value) -> str:
    """The one way a day is shown: 2026年12月3日, "3 Dec 2026" (a moment: its Shanghai day)."""
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(SHANGHAI)
        value = value.date()
    pattern = pgettext("the one date format (a Babel pattern)", "d MMM y")
    locale, compiled = _compiled(str(get_locale()), pattern)
    return compiled.apply(value, locale)


def format_deadline(value: datetime | date, now: datetime | None = None) -> str:
    """The one way a deadline is shown: 12月4日（周五）17:00 前, "by 17:00, Fri 4 Dec" (with the
    year when it is not this year's). A moment is already in office hours (``Sla.deadlines``);
    a day (an aid step's working-day deadline) is the close of that office day."""
    if not isinstance(value, datetime):
        office = OfficeHours.parse(current_app.config["OFFICE_HOURS"])
        value = office.close_of(value) if office else day_end(value) - timedelta(minutes=1)
    moment = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(SHANGHAI)
    this_year = moment.year == (now or utcnow()).astimezone(SHANGHAI).year
    return _deadline_said(catalogue(), locale_code(), moment, this_year)


@lru_cache(maxsize=4096)
def _deadline_said(_catalogue, code: str, moment: datetime, this_year: bool) -> str:
    """A deadline said once per language: a queue page says 25, and many are the same
    close of an office day."""
    if this_year:
        pattern = pgettext("a deadline this year (a Babel pattern)", "'by' HH:mm, EEE d MMM")
    else:
        pattern = pgettext("a deadline in another year (a Babel pattern)",
                           "'by' HH:mm, EEE d MMM y")
    locale, compiled = _compiled(code, pattern)
    return compiled.apply(moment, locale)


def format_office_hours() -> str:
    """PORTAL_OFFICE_HOURS in words: 工作日 9:00–17:00."""
    hours = OfficeHours.parse(current_app.config["OFFICE_HOURS"])
    if hours is None:
        return _("Open every day, round the clock")
    return _("Working days %(opens)s–%(closes)s", opens=f"{hours.opens:%H:%M}".lstrip("0"),
             closes=f"{hours.closes:%H:%M}".lstrip("0"))


def format_ago(value: datetime, now: datetime | None = None) -> str:
    """"3 小时前" for what happened within the last day; the one format for anything older
    (or ahead)."""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    past = (now or utcnow()) - moment
    if past < timedelta(0) or past >= RECENT:
        return format_moment(moment)
    if past < timedelta(minutes=1):
        return _("just now")
    if past < timedelta(hours=1):
        minutes = past // timedelta(minutes=1)
        return ngettext("%(num)d minute ago", "%(num)d minutes ago", minutes)
    hours = past // timedelta(hours=1)
    return ngettext("%(num)d hour ago", "%(num)d hours ago", hours)


def format_until(value: datetime, now: datetime | None = None) -> str:
    """A deadline against now: "还剩 3 小时" ahead of it, "超期 2 天" past it; minutes within
    the hour, hours within two days, days beyond."""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    left = moment - (now or utcnow())
    span = abs(left)
    if span < timedelta(hours=1):
        num = max(1, span // timedelta(minutes=1))
        return (ngettext("%(num)d minute left", "%(num)d minutes left", num) if left >= ZERO
                else ngettext("%(num)d minute overdue", "%(num)d minutes overdue", num))
    if span < timedelta(hours=48):
        num = span // timedelta(hours=1)
        return (ngettext("%(num)d hour left", "%(num)d hours left", num) if left >= ZERO
                else ngettext("%(num)d hour overdue", "%(num)d hours overdue", num))
    num = span // timedelta(days=1)
    return (ngettext("%(num)d day left", "%(num)d days left", num) if left >= ZERO
            else ngettext("%(num)d day overdue", "%(num)d days overdue", num))


def _datetime_filter(value, fmt=None):
    if not value:
        return ""
    if fmt in ONE_FORMAT_NAMES:
        return format_moment(value)
    return format_local_datetime(value, fmt)  # an explicit pattern, such as "HH:mm"


def init_app(app: Flask) -> None:
    from portal.extensions import babel
    from portal.web import catalogue

    babel.init_app(app, locale_selector=select_locale)
    catalogue.install_in_jinja(app)
    app.jinja_env.globals.update(
        html_lang=html_lang, language_choices=language_choices, get_locale=get_locale
    )
    app.jinja_env.filters["datetime"] = _datetime_filter
    app.jinja_env.filters["ago"] = lambda value: format_ago(value) if value else ""
    app.jinja_env.filters["deadline"] = lambda value: format_deadline(value) if value else ""
    app.jinja_env.globals["office_hours"] = format_office_hours
    app.jinja_env.filters["until"] = lambda value, now=None: (
        format_until(value, now) if value else "")
    # A date alone: 2026年12月3日 (whichever name); "full" adds the weekday.
    app.jinja_env.filters["date"] = lambda value, fmt=None: (
        "" if not value else format_day(value) if fmt in ONE_FORMAT_NAMES
        else format_date(value, fmt))


def is_supported(code: str) -> bool:
    """One of our languages; anything else (any text at all) is simply not."""
    return code in current_app.config["LANGUAGES"]
