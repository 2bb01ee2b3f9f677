"""Date handling for the expression functions: Azure's DateTime rendering, date-string parsing,
.NET custom date/time format strings, AD FILETIME numbers, VBA-style DateAdd/DateDiff.

Why a module of its own: the date functions (CDate, DateAdd, DateDiff, DateFromNum, NumFromDate,
FormatDateTime, Now) share these rules, and the .NET format-string translation is the one piece of
real logic here — it deserves its own tests without the rest of the evaluator around it.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone

_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


class DateError(ValueError):
    """A date string or format the functions cannot handle (becomes an evaluation error)."""


def render_datetime(value: datetime) -> str:
    """"The returned string is always in UTC and follows the format M/d/yyyy h:mm:ss tt" (CDate, DateAdd,
    Now)."""
    value = to_utc(value)
    hour12 = value.hour % 12 or 12
    tt = "AM" if value.hour < 12 else "PM"
    return f"{value.month}/{value.day}/{value.year} {hour12}:{value.minute:02d}:{value.second:02d} {tt}"


def to_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?P<f>\.\d+)?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)
_US = re.compile(
    r"^(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})"
    r"(?:\s+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<tt>AM|PM)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)


def parse_date(text: str) -> datetime:
    """Parse the date strings the documentation feeds to CDate/DateDiff: ISO dates with or without
    time and offset (``2020-03-16-07:00``, ``2009-06-15T01:45:30-07:00``, ``2021-08-24``) and the
    ``M/d/yyyy h:mm:ss tt`` form Azure itself produces. No offset means UTC. Result is aware UTC."""
    stripped = text.strip()
    match = _ISO.match(stripped) or _US.match(stripped)
    if not match:
        raise DateError(f"cannot parse {text!r} as a date")
    parts = match.groupdict()
    hour = int(parts.get("h") or 0)
    if parts.get("tt"):
        if not 1 <= hour <= 12:
            raise DateError(f"cannot parse {text!r} as a date: hour {hour} with {parts['tt']}")
        hour = hour % 12 + (12 if parts["tt"].upper() == "PM" else 0)
    fraction = parts.get("f") or ""
    try:
        value = datetime(int(parts["y"]), int(parts["mo"]), int(parts["d"]), hour, int(parts.get("mi") or 0),
                         int(parts.get("s") or 0), round(float(fraction or "0") * 1_000_000),
                         tzinfo=_offset(parts.get("tz")))
    except ValueError as exc:
        raise DateError(f"cannot parse {text!r} as a date: {exc}") from None
    return value.astimezone(UTC)


def _offset(text: str | None) -> timezone:
    if not text or text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


# --- AD FILETIME ------------------------------------------------------------------------------


def date_from_num(value: int) -> datetime:
    """AD's date format: 100-ns intervals since 1601-01-01 UTC (``129699324000000000`` → 1 Jan 2012 23:00)."""
    return _FILETIME_EPOCH + timedelta(microseconds=value // 10)


def num_from_date(value: datetime) -> int:
    delta = to_utc(value) - _FILETIME_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


# --- DateAdd / DateDiff ------------------------------------------------------------------------

INTERVALS = ("yyyy", "m", "d", "ww", "h", "n", "s")


def date_add(interval: str, amount: int, value: datetime) -> datetime:
    """VBA DateAdd: month/year arithmetic clamps the day to the target month's length."""
    if interval in ("yyyy", "m"):
        months = amount * (12 if interval == "yyyy" else 1)
        total = value.year * 12 + (value.month - 1) + months
        year, month = divmod(total, 12)
        day = min(value.day, calendar.monthrange(year, month + 1)[1])
        return value.replace(year=year, month=month + 1, day=day)
    unit = {"d": timedelta(days=1), "ww": timedelta(weeks=1), "h": timedelta(hours=1),
            "n": timedelta(minutes=1), "s": timedelta(seconds=1)}.get(interval)
    if unit is None:
        raise DateError(f"interval {interval!r} is not one of {', '.join(INTERVALS)}")
    return value + amount * unit


def date_diff(interval: str, first: datetime, second: datetime) -> int:
    """VBA DateDiff: the number of interval *boundaries* crossed from ``first`` to ``second`` (positive
    when ``second`` is later). The documented table confirms boundary counting: 8/25/2021 5:41:18 PM →
    2012-03-16-07:00 is -3449 days, -493 weeks (Sunday boundaries), -113 months, -9 years."""
    a, b = to_utc(first), to_utc(second)
    if interval == "yyyy":
        return b.year - a.year
    if interval == "m":
        return (b.year - a.year) * 12 + (b.month - a.month)
    if interval == "d":
        return (b.date() - a.date()).days
    if interval == "ww":
        def sunday(moment: datetime) -> datetime:
            return moment - timedelta(days=(moment.weekday() + 1) % 7)
        return (sunday(b).date() - sunday(a).date()).days // 7
    size = {"h": 3600, "n": 60, "s": 1}.get(interval)
    if size is None:
        raise DateError(f"interval {interval!r} is not one of {', '.join(INTERVALS)}")
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return int((b - epoch).total_seconds() // size) - int((a - epoch).total_seconds() // size)


# --- .NET custom date and time format strings ---------------------------------------------------

_FORMAT_TOKEN = re.compile(
    r"yyyy|yyy|yy|y|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|f{1,7}|F{1,7}|tt|t|zzz|zz|z|K"
    r"|'[^']*'|\"[^\"]*\"|\\.|.", re.DOTALL)
_MONTHS = [calendar.month_name[i] for i in range(1, 13)]
_MONTHS_ABBR = [calendar.month_abbr[i] for i in range(1, 13)]
_DAYS = [calendar.day_name[i] for i in range(7)]
_DAYS_ABBR = [calendar.day_abbr[i] for i in range(7)]


def _tokens(fmt: str) -> list[str]:
    if not fmt:
        raise DateError("date format is empty")
    return _FORMAT_TOKEN.findall(fmt)


def _literal(token: str) -> str | None:
    if token[0] in "'\"" and len(token) >= 2:
        return token[1:-1]
    if token[0] == "\\" and len(token) == 2:
        return token[1]
    if re.fullmatch(r"[yMdHhmsfFtzK]+", token):
        return None
    return token


def parse_exact(text: str, fmt: str) -> datetime:
    """``DateTime.ParseExact(text, fmt)`` with the default styles the doc names for FormatDateTime
    (RoundtripKind, AllowLeadingWhite, AllowTrailingWhite): surrounding white space is allowed; an offset
    (``zzz``/``K``) is kept on the value; no offset means UTC."""
    pattern = ["^"]
    for token in _tokens(fmt):
        literal = _literal(token)
        if literal is not None:
            pattern.append(re.escape(literal))
            continue
        pattern.append({
            "yyyy": r"(?P<y>\d{4})", "yyy": r"(?P<y>\d{3,4})", "yy": r"(?P<yy>\d{2})", "y": r"(?P<yy>\d{1,2})",
            "MMMM": r"(?P<MMMM>[A-Za-z]+)", "MMM": r"(?P<MMM>[A-Za-z]{3})",
            "MM": r"(?P<M>\d{2})", "M": r"(?P<M>\d{1,2})",
            "dddd": r"[A-Za-z]+", "ddd": r"[A-Za-z]{3}", "dd": r"(?P<d>\d{2})", "d": r"(?P<d>\d{1,2})",
            "HH": r"(?P<H>\d{2})", "H": r"(?P<H>\d{1,2})", "hh": r"(?P<h>\d{2})", "h": r"(?P<h>\d{1,2})",
            "mm": r"(?P<m>\d{2})", "m": r"(?P<m>\d{1,2})", "ss": r"(?P<s>\d{2})", "s": r"(?P<s>\d{1,2})",
            "tt": r"(?P<tt>AM|PM)", "t": r"(?P<t>A|P)",
            "zzz": r"(?P<z>[+-]\d{2}:\d{2})", "zz": r"(?P<z>[+-]\d{2})", "z": r"(?P<z>[+-]\d{1,2})",
            "K": r"(?P<z>Z|[+-]\d{2}:\d{2})?",
        }.get(token) or (rf"(?P<f>\d{{{len(token)}}})" if token[0] == "f" else rf"(?P<f>\d{{0,{len(token)}}})"))
    pattern.append("$")
    try:
        regex = re.compile("".join(pattern), re.IGNORECASE)
    except re.error:
        raise DateError(f"format {fmt!r} repeats a date part") from None
    match = regex.match(text.strip())
    if not match:
        raise DateError(f"{text!r} does not match the format {fmt!r}")
    g = {k: v for k, v in match.groupdict().items() if v is not None}
    year = int(g["y"]) if "y" in g else (2000 + int(g["yy"]) if "yy" in g else 1)
    if "MMMM" in g or "MMM" in g:
        names = _MONTHS if "MMMM" in g else _MONTHS_ABBR
        lookup = {n.lower(): i + 1 for i, n in enumerate(names)}
        month = lookup.get((g.get("MMMM") or g.get("MMM") or "").lower())
        if month is None:
            raise DateError(f"{text!r}: unknown month name")
    else:
        month = int(g.get("M", 1))
    hour = int(g.get("H", 0))
    if "h" in g:
        hour = int(g["h"]) % 12
        if (g.get("tt") or g.get("t") or "A").upper().startswith("P"):
            hour += 12
    micro = int((g.get("f", "") + "000000")[:6]) if g.get("f") else 0
    zone = g.get("z")
    if zone and zone.upper() != "Z" and ":" not in zone:
        zone = f"{zone[0]}{int(zone[1:]):02d}:00"
    try:
        return datetime(year, month, int(g.get("d", 1)), hour, int(g.get("m", 0)), int(g.get("s", 0)), micro,
                        tzinfo=_offset(zone))
    except ValueError as exc:
        raise DateError(f"{text!r}: {exc}") from None


def format_datetime(value: datetime, fmt: str) -> str:
    """``DateTime.ToString(fmt)`` with the invariant culture."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    out: list[str] = []
    offset = value.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hh, mm = divmod(abs(minutes), 60)
    for token in _tokens(fmt):
        literal = _literal(token)
        if literal is not None:
            out.append(literal)
            continue
        if token[0] in "fF":
            digits = f"{value.microsecond:06d}0"[: len(token)]
            out.append(digits if token[0] == "f" else digits.rstrip("0"))
            continue
        out.append({
            "yyyy": f"{value.year:04d}", "yyy": f"{value.year:03d}", "yy": f"{value.year % 100:02d}",
            "y": str(value.year % 100), "MMMM": _MONTHS[value.month - 1], "MMM": _MONTHS_ABBR[value.month - 1],
            "MM": f"{value.month:02d}", "M": str(value.month), "dddd": _DAYS[value.weekday()],
            "ddd": _DAYS_ABBR[value.weekday()], "dd": f"{value.day:02d}", "d": str(value.day),
            "HH": f"{value.hour:02d}", "H": str(value.hour), "hh": f"{value.hour % 12 or 12:02d}",
            "h": str(value.hour % 12 or 12), "mm": f"{value.minute:02d}", "m": str(value.minute),
            "ss": f"{value.second:02d}", "s": str(value.second), "tt": "AM" if value.hour < 12 else "PM",
            "t": "A" if value.hour < 12 else "P", "zzz": f"{sign}{hh:02d}:{mm:02d}", "zz": f"{sign}{hh:02d}",
            "z": f"{sign}{hh}", "K": "Z" if minutes == 0 else f"{sign}{hh:02d}:{mm:02d}",
        }[token])
    return "".join(out)
