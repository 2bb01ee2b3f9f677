"""The function catalogue of the attribute-mapping expression language.

Every function of azure-ad-behaviour.md §8.3 (Microsoft's "Reference for writing expressions for
attribute mappings", quoted per function below) is one entry of :data:`FUNCTIONS`: its parameter
names (the keys Graph's ``parsedExpression`` uses), how many arguments it takes (checked at parse
time) and its implementation. The values, conversions and evaluator they share are in ``evaluation``.
"""

from __future__ import annotations

import base64
import random
import string
import unicodedata
import uuid
from datetime import datetime
from typing import Any

import regex

from simulators.azure_ad.expressions import dates
from simulators.azure_ad.expressions.diacritics import normalize_diacritics
from simulators.azure_ad.expressions.dotnet_text import dotnet_replacement, lower_invariant, upper_invariant
from simulators.azure_ad.expressions.evaluation import (
    FUNCTIONS,
    IGNORE,
    Context,
    each,
    fail,
    function,
    is_null_or_empty,
    scalar_text,
    to_bool,
    to_datetime,
    to_int,
    to_text,
)
from simulators.azure_ad.expressions.syntax import (
    Attribute,
    Call,
    Comparison,
    Constant,
    Node,
)


def _args(ctx: Context, call: Call, count: int | None = None) -> list[Any]:
    values = [ctx.eval(arg) for arg in call.args]
    if count is not None:
        values += [None] * (count - len(values))
    return values


@function("Append", ("source", "suffix"))
def _append(ctx: Context, call: Call) -> Any:
    """"Takes a source string value and appends the suffix to the end of it"; a null source is ""."""
    source, suffix = _args(ctx, call)
    return (scalar_text(source, call) or "") + (scalar_text(suffix, call) or "")


def _roles(value: Any) -> list[dict[str, Any]]:
    """appRoleAssignments: a list of role names or of ``{"id","value","displayName"}`` objects."""
    if value is None:
        return []
    roles = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            roles.append({k: item[k] for k in ("id", "value", "displayName") if item.get(k) is not None})
        else:
            roles.append({"value": str(item), "displayName": str(item)})
    return roles


def _complex_roles(ctx: Context, call: Call) -> Any:
    """"all roles as complex roles[] (primary false)" (§3.7); the engine chooses Add vs replace from the
    function name (AssertiveAppRoleAssignmentsComplex replaces the whole array)."""
    (value,) = _args(ctx, call)
    roles = _roles(value)
    if not roles:
        return None
    return [{"primary": False, "type": "WindowsAzureActiveDirectoryRole",
             "display": r.get("displayName", r.get("value")), "value": r.get("value", r.get("displayName")),
             **({"id": r["id"]} if "id" in r else {})} for r in roles]


function("AppRoleAssignmentsComplex", ("appRoleAssignments",))(_complex_roles)
function("AssertiveAppRoleAssignmentsComplex", ("appRoleAssignments",))(_complex_roles)


@function("SingleAppRoleAssignment", ("appRoleAssignments",))
def _single_role(ctx: Context, call: Call) -> Any:
    """"Returns a single appRoleAssignment ... into a single role name string"; which one is undefined
    when there are several — the first."""
    (value,) = _args(ctx, call)
    roles = _roles(value)
    return (roles[0].get("value") or roles[0].get("displayName")) if roles else None


@function("BitAnd", ("value1", "value2"))
def _bit_and(ctx: Context, call: Call) -> Any:
    a, b = _args(ctx, call)
    return to_int(a, call, "value1") & to_int(b, call, "value2")


@function("CBool", ("Expression",))
def _cbool(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    return to_bool(value, call)


@function("CDate", ("expression",))
def _cdate(ctx: Context, call: Call) -> Any:
    """"returns a UTC DateTime from a string" ("2020-03-16-07:00" → "3/16/2020 7:00:00 AM")."""
    (value,) = _args(ctx, call)
    return None if value is None else to_datetime(value, call)


@function("Coalesce", ("source1",), min_args=1, max_args=None, repeat=("source",))
def _coalesce(ctx: Context, call: Call) -> Any:
    """"Returns the first source value that isn't NULL" — else the trailing defaultValue, else NULL.
    The default is simply the last argument, so "first non-null argument" covers both."""
    for arg in call.args:
        value = ctx.eval(arg)
        if value is not None:
            return value
    return None


@function("ConvertToBase64", ("source",))
def _to_base64(ctx: Context, call: Call) -> Any:
    """"converts a string to a Unicode base64 string": UTF-16LE ("Hello world!" → "SABlAGwAbABvACAA...")."""
    (value,) = _args(ctx, call)
    return each(value, lambda s: base64.b64encode(s.encode("utf-16-le")).decode("ascii"))


@function("ConvertToUTF8Hex", ("source",))
def _to_utf8_hex(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    return each(value, lambda s: s.encode("utf-8").hex().upper())


@function("Count", ("attribute",))
def _count(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    return 0 if value is None else len(value) if isinstance(value, list) else 1


@function("CStr", ("value",))
def _cstr(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    return each(value, lambda s: s) if isinstance(value, list) else to_text(value)


def _interval(value: Any, call: Call) -> str:
    interval = scalar_text(value, call) or ""
    if interval not in dates.INTERVALS:
        raise fail(call, f"interval {interval!r} is not one of {', '.join(dates.INTERVALS)}")
    return interval


@function("DateAdd", ("interval", "value", "dateTime"))
def _date_add(ctx: Context, call: Call) -> Any:
    interval, amount, moment = _args(ctx, call)
    if moment is None:
        return None
    return dates.date_add(_interval(interval, call), to_int(amount, call, "value"), to_datetime(moment, call))


@function("DateDiff", ("interval", "date1", "date2"))
def _date_diff(ctx: Context, call: Call) -> Any:
    interval, first, second = _args(ctx, call)
    if first is None or second is None:
        return None
    return dates.date_diff(_interval(interval, call), to_datetime(first, call), to_datetime(second, call))


@function("DateFromNum", ("value",))
def _date_from_num(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    return None if value is None else dates.date_from_num(to_int(value, call, "value"))


@function("NumFromDate", ("value",))
def _num_from_date(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    return None if value is None else dates.num_from_date(to_datetime(value, call))


@function("FormatDateTime", ("source", "dateTimeStyles", "inputFormat", "outputFormat"), min_args=3, max_args=4)
def _format_datetime(ctx: Context, call: Call) -> Any:
    """``FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")``. With three arguments
    the styles are omitted (source, inputFormat, outputFormat)."""
    values = _args(ctx, call)
    source, _styles, input_format, output_format = values if len(values) == 4 else [values[0], None, *values[1:]]
    if source is None:
        return None
    if input_format is None or output_format is None:
        raise fail(call, "inputFormat and outputFormat are required")
    try:
        moment = (source if isinstance(source, datetime)
                  else dates.parse_exact(scalar_text(source, call) or "", scalar_text(input_format, call) or ""))
        if ctx.options.format_datetime_to_utc:
            moment = dates.to_utc(moment)
        return dates.format_datetime(moment, scalar_text(output_format, call) or "")
    except dates.DateError as exc:
        raise fail(call, str(exc)) from None


@function("Guid", ())
def _guid(ctx: Context, call: Call) -> Any:
    rng = ctx.options.rng
    return str(uuid.UUID(int=rng.getrandbits(128), version=4) if rng else uuid.uuid4())


@function("IgnoreFlowIfNullOrEmpty", ("expression",))
def _ignore_flow(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    return IGNORE if is_null_or_empty(value) else value


def _attributes_in(node: Node | None) -> list[Attribute]:
    if node is None or isinstance(node, Constant):
        return []
    if isinstance(node, Attribute):
        return [node]
    if isinstance(node, Comparison):
        return _attributes_in(node.left) + _attributes_in(node.right)
    return [a for arg in node.args for a in _attributes_in(arg)]


@function("IIF", ("condition", "valueIfTrue", "valueIfFalse"))
def _iif(ctx: Context, call: Call) -> Any:
    condition, if_true, if_false = call.args
    if ctx.options.iif_null_condition == "fail":
        for attribute in _attributes_in(condition):
            if is_null_or_empty(ctx.attribute(attribute.name)):
                raise fail(call, f"the condition check fails: source attribute [{attribute.name}] is null or "
                                 "empty (use Switch to test for empty/null values)")
    return ctx.eval(if_true if to_bool(ctx.eval(condition), call) else if_false)


@function("InStr", ("value1", "value2", "start", "compareType"), min_args=2)
def _instr(ctx: Context, call: Call) -> Any:
    """1-based index of value2 in value1, 0 when absent (``InStr("repEated","e",3,vbBinaryCompare)`` → 7)."""
    haystack, needle, start, compare_type = _args(ctx, call, 4)
    if haystack is None or needle is None:
        return None
    text, sought = scalar_text(haystack, call) or "", scalar_text(needle, call) or ""
    begin = 1 if start is None else to_int(start, call, "start")
    if begin < 1:
        raise fail(call, f"start must be 1 or more, got {begin}")
    mode = scalar_text(compare_type, call) or "vbBinaryCompare"
    if mode not in ("vbBinaryCompare", "vbTextCompare"):
        raise fail(call, f"compareType {mode!r} is not vbTextCompare or vbBinaryCompare")
    if mode == "vbTextCompare":
        text, sought = text.lower(), sought.lower()
    return text.find(sought, begin - 1) + 1


@function("IsNull", ("Expression",))
def _is_null(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    return value is None


@function("IsNullOrEmpty", ("Expression",))
def _is_null_or_empty(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    return is_null_or_empty(value)


@function("IsPresent", ("Expression",))
def _is_present(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    return not is_null_or_empty(value)


@function("IsString", ("Expression",))
def _is_string(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    return isinstance(value, str)


@function("Item", ("attribute", "index"))
def _item(ctx: Context, call: Call) -> Any:
    """1-based ("Index 0 shouldn't be used"); out of range is null."""
    value, index = _args(ctx, call)
    position = to_int(index, call, "index")
    values = value if isinstance(value, list) else ([] if value is None else [value])
    return values[position - 1] if 1 <= position <= len(values) else None


@function("Join", ("separator", "source1"), max_args=None, repeat=("source",))
def _join(ctx: Context, call: Call) -> Any:
    """"If one of the source values is a multi-value attribute, then every value in that attribute is
    joined together"."""
    separator, *sources = _args(ctx, call)
    parts: list[str] = []
    for value in sources:
        for item in value if isinstance(value, list) else [value]:
            text = to_text(item)
            if text is None or (text == "" and ctx.options.join_skips_empty):
                continue
            parts.append(text)
    return (scalar_text(separator, call) or "").join(parts)


@function("Left", ("String", "NumChars"))
def _left(ctx: Context, call: Call) -> Any:
    """"If numChars = 0, return empty string. If numChars < 0, return input string. If string is null,
    return empty string." """
    value, count = _args(ctx, call)
    n = to_int(count, call, "NumChars")
    if value is None:
        return ""
    return each(value, lambda s: s if n < 0 else s[:n])


@function("Mid", ("source", "start", "length"))
def _mid(ctx: Context, call: Call) -> Any:
    """1-based; "If length ends outside the source string, function returns substring from start index until
    end of source string"; a start past the end is "" (VBA Mid); start < 1 or length < 0 is an error."""
    value, start, length = _args(ctx, call)
    begin, size = to_int(start, call, "start"), to_int(length, call, "length")
    if begin < 1 or size < 0:
        raise fail(call, f"start must be 1 or more and length 0 or more, got start={begin}, length={size}")
    return each(value, lambda s: s[begin - 1: begin - 1 + size])


@function("NormalizeDiacritics", ("source",))
def _normalize(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    return each(value, normalize_diacritics)


@function("Not", ("source",))
def _not(ctx: Context, call: Call) -> Any:
    """"If source value is True, returns False. Otherwise, returns True." """
    (value,) = _args(ctx, call)
    return not (value is True or (isinstance(value, str) and value.strip().lower() == "true"))


@function("Now", ())
def _now(ctx: Context, call: Call) -> Any:
    return dates.to_utc(ctx.now)


_TITLE_SEPARATORS = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
                               "Sm", "Sc", "Sk", "So"})


@function("PCase", ("source", "wordSeparators"), min_args=1)
def _pcase(ctx: Context, call: Call) -> Any:
    """Proper case. Without wordSeparators the .NET ToTitleCase separator categories apply (space,
    control, format, connector/dash/open/close/quote/other punctuation, math/currency/modifier/other
    symbols); the documented example lower-cases first ("PABLO GONSALVES (SECOND)" → "Pablo Gonsalves
    (Second)"), so all-caps words are not kept as acronyms."""
    value, separators = _args(ctx, call, 2)
    chosen = scalar_text(separators, call)

    def is_separator(char: str) -> bool:
        return char in chosen if chosen else unicodedata.category(char) in _TITLE_SEPARATORS

    def proper(text: str) -> str:
        out, start = [], True
        for char in text:
            if is_separator(char):
                out.append(char)
                start = True
            else:
                out.append(upper_invariant(char) if start else lower_invariant(char))
                start = False
        return "".join(out)
    return each(value, proper)


_SPECIAL = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/"


@function("RandomString", ("Length", "MinimumNumbers", "MinimumSpecialCharacters", "MinimumCapital",
                           "MinimumLowerCase", "CharactersToAvoid"), min_args=5)
def _random_string(ctx: Context, call: Call) -> Any:
    """"Total length ... should be greater than or equal to the sum of MinimumNumbers,
    MinimumSpecialCharacters, and MinimumCapital. 256 characters max." """
    values = _args(ctx, call, 6)
    length, digits, specials, capitals, lowers = (to_int(v, call, n) for v, n in zip(values[:5], FUNCTIONS[
        "RandomString"].params))
    avoid = set(scalar_text(values[5], call) or "")
    if not 0 < length <= 256:
        raise fail(call, f"Length must be 1..256, got {length}")
    if min(digits, specials, capitals, lowers) < 0 or digits + specials + capitals + lowers > length:
        raise fail(call, "the minimums must be 0 or more and add up to at most Length")
    pools = [[c for c in pool if c not in avoid] for pool in
             (string.digits, _SPECIAL, string.ascii_uppercase, string.ascii_lowercase)]
    rng = ctx.options.rng or random.SystemRandom()
    chars: list[str] = []
    for pool, minimum in zip(pools, (digits, specials, capitals, lowers)):
        if minimum and not pool:
            raise fail(call, "CharactersToAvoid removes a whole required character class")
        chars += [rng.choice(pool) for _ in range(minimum)]
    everything = [c for pool in pools for c in pool]
    chars += [rng.choice(everything) for _ in range(length - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


@function("Redact", ("attribute",))
def _redact(ctx: Context, call: Call) -> Any:
    """The value flows; only provisioning logs show "[Redact]" (see ``Expression.redacted``)."""
    (value,) = _args(ctx, call)
    return value


@function("RemoveDuplicates", ("attribute",))
def _remove_duplicates(ctx: Context, call: Call) -> Any:
    (value,) = _args(ctx, call)
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(values))


@function("Replace", ("source", "Find", "regexPattern", "regexGroupName", "Replacement",
                      "replacementAttributeName", "template"), min_args=3)
def _replace(ctx: Context, call: Call) -> Any:
    """Case-sensitive; the mode depends on which parameters are present (an empty argument is absent,
    an ``""`` constant is present). Graph names oldValue ``Find`` and replacementValue ``Replacement``."""
    values = _args(ctx, call, 7)
    source, old, pattern, group, replacement, replacement_attr, template = (
        v if v is None else scalar_text(v, call) for v in values)
    try:
        if old is not None and template is not None:
            return None if source is None else template.replace(old, source)
        if old is not None and replacement is not None:
            return None if source is None else source.replace(old, replacement) if old else source
        if pattern is not None:
            compiled = regex.compile(pattern)
            if group is not None and replacement_attr is not None and replacement is None:
                if source:
                    return source
                match = compiled.search(replacement_attr)
                return match.group(group) if match else None
            if source is None:
                return None
            if group is not None and replacement is not None:
                def swap(match: regex.Match[str]) -> str:
                    start, end = match.span(group)
                    if start < 0:
                        return match.group(0)
                    offset = match.start()
                    whole = match.group(0)
                    return whole[: start - offset] + replacement + whole[end - offset:]
                return compiled.sub(swap, source)
            if replacement is not None:
                return compiled.sub(dotnet_replacement(replacement), source)
    except (regex.error, IndexError) as exc:
        raise fail(call, f"regular expression error: {exc}") from None
    raise fail(call, "needs oldValue with replacementValue or template, or regexPattern with replacementValue "
                     "(and optionally regexGroupName), or regexPattern, regexGroupName and "
                     "replacementAttributeName")


@function("SelectUniqueValue", ("uniqueValueRule1", "uniqueValueRule2"), max_args=None,
          repeat=("uniqueValueRule",))
def _select_unique(ctx: Context, call: Call) -> Any:
    """"evaluates each rule and then checks the value generated for uniqueness in the target ... If all of
    the values already exist in the target, the entry is escrowed". ``target_lookup(value)`` answers
    "exists?"; without one nothing exists and the first rule wins."""
    for rule in call.args:
        value = ctx.eval(rule)
        if value is None:
            continue
        if ctx.target_lookup is None or not ctx.target_lookup(value):
            return value
    raise fail(call, "every generated value already exists in the target (the entry is escrowed)")


@function("Split", ("source", "delimiter"))
def _split(ctx: Context, call: Call) -> Any:
    value, delimiter = _args(ctx, call)
    text = scalar_text(value, call)
    if text is None:
        return None
    separator = scalar_text(delimiter, call)
    if not separator:
        raise fail(call, "delimiter is empty")
    parts = text.split(separator)
    return [p.strip() for p in parts] if ctx.options.split_trims_values else parts


@function("StripSpaces", ("source",))
def _strip_spaces(ctx: Context, call: Call) -> Any:
    """"Removes all space (" ") characters from the source string" — spaces only, not tabs."""
    (value,) = _args(ctx, call)
    return each(value, lambda s: s.replace(" ", ""))


def _switch_arity(count: int) -> str | None:
    if count % 2:
        return "Key and value parameters must always come in pairs: Switch expects an even number of arguments"
    return None


@function("Switch", ("source", "defaultValue", "key", "value"), max_args=None, repeat=("key", "value"),
          check=_switch_arity)
def _switch(ctx: Context, call: Call) -> Any:
    """"When source value matches a key, returns value for that key. If source value doesn't match any keys,
    returns defaultValue." Case-sensitive comparison; a "" key matches a null or empty source
    (``Switch([statusFlag], "Default Value", "true", "1", "", "0")``). An omitted defaultValue (the seed's
    ``Switch(ToLower([country], ), , ...)``) is an absent parameter: no match yields null."""
    source = scalar_text(ctx.eval(call.args[0]), call) or ""
    for index in range(2, len(call.args), 2):
        key = scalar_text(ctx.eval(call.args[index]), call) or ""
        if key == source:
            return ctx.eval(call.args[index + 1])
    return ctx.eval(call.args[1])


_TURKIC = ("tr", "az")


def _culture(value: Any, call: Call) -> str:
    culture = scalar_text(value, call) or ""
    if culture and not regex.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", culture):
        raise fail(call, f"culture {culture!r} is not an RFC 4646 name like en-US")
    return culture.split("-")[0].lower()


@function("ToLower", ("source", "culture"), min_args=1)
def _to_lower(ctx: Context, call: Call) -> Any:
    """"If there's no culture info specified, then it uses Invariant culture." Turkish/Azeri cultures
    lower-case I to dotless ı."""
    value, culture = _args(ctx, call, 2)
    turkic = _culture(culture, call) in _TURKIC
    return each(value, lambda s: "".join(
        ("ı" if c == "I" else "i" if c == "İ" else lower_invariant(c)) if turkic else lower_invariant(c)
        for c in s))


@function("ToUpper", ("source", "culture"), min_args=1)
def _to_upper(ctx: Context, call: Call) -> Any:
    value, culture = _args(ctx, call, 2)
    turkic = _culture(culture, call) in _TURKIC
    return each(value, lambda s: "".join(
        ("İ" if c == "i" else "I" if c == "ı" else upper_invariant(c)) if turkic else upper_invariant(c)
        for c in s))


@function("Word", ("String", "WordNumber", "Delimiters"))
def _word(ctx: Context, call: Call) -> Any:
    """"If number < 1, returns empty string. If string is null, returns empty string. If string contains
    less than number words ... an empty string is returned." Runs of delimiters separate one word."""
    value, number, delimiters = _args(ctx, call)
    n = to_int(number, call, "WordNumber")
    text = scalar_text(value, call)
    if text is None or n < 1:
        return ""
    separators = set(scalar_text(delimiters, call) or "")
    words, current = [], []
    for char in text:
        if char in separators:
            if current:
                words.append("".join(current))
            current = []
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return words[n - 1] if n <= len(words) else ""


#: Functions that "must be at the top-level and can't be nested".
TOP_LEVEL_ONLY = frozenset({"SelectUniqueValue"})
