"""Parsing: grammar, escapes, empty arguments, error positions, Graph shapes, and a round-trip property."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.azure_ad.expressions import (
    IGNORE,
    ExpressionError,
    ExpressionEvaluationError,
    parse_expression,
    parse_expression_response,
)


@pytest.mark.parametrize(("text", "expected"), [
    ('Append([a], "Company name: \\"Contoso\\"")', 'xCompany name: "Contoso"'),
    ('Append([a], "back\\\\slash")', "xback\\slash"),
    ('Append([a], "\\d kept")', "x\\d kept"),
    ('Append( [a] ,\n  "y" )', "xy"),
    ('Append([a], "")', "x"),
])
def test_string_constants_and_whitespace(text, expected):
    assert parse_expression(text).evaluate({"a": "x"}) == expected


@pytest.mark.parametrize("name", ["extension_8a2b3c4d5e6f_costCenter", "passwordProfile.password",
                                  "Facsimile-TelephoneNumber", "IsSoftDeleted", "with space"])
def test_attribute_names(name):
    expression = parse_expression(f"Append([{name}], \"!\")")
    assert expression.attributes == {name}
    assert expression.evaluate({name.upper(): "v"}) == "v!"


def test_empty_arguments_are_kept_positionally():
    tree = parse_expression('Replace([mail], "@contoso.com", , ,"", ,)').tree
    assert [arg is None for arg in tree.args] == [False, False, True, True, False, True, True]
    assert parse_expression("Now()").tree.args == ()
    assert parse_expression("ToLower([country], )").tree.args[1] is None


def test_top_level_attribute_and_constant():
    assert parse_expression("[mail]").evaluate({"MAIL": "a@b"}) == "a@b"
    assert parse_expression('"fixed"').evaluate({}) == "fixed"


# (malformed expression, 1-based position, offending text, message fragment)
MALFORMED = [
    ("Mid([a], 1", 11, "", "unexpected end of expression"),
    ("Mid([a] 1)", 9, "1", "unexpected '1'"),
    ('Append([a], "abc)', 13, '"abc)', "unterminated string"),
    ("Append([abc, 1)", 8, "[abc, 1)", "unterminated attribute"),
    ("Append([a], #)", 13, "#", "unexpected character '#'"),
    ("Append([a], [b])x", 17, "x", "unexpected 'x'"),
    ("Append([a],, [b]", 17, "", "unexpected end"),
    ("Foo([a])", 1, "Foo", "unknown function 'Foo'"),
    ("Append([a], tolower([b]))", 13, "tolower", "did you mean ToLower"),
    ("Mid([a], 1)", 1, "Mid", "Mid expects 3 arguments, got 2"),
    ("Append(Left([a]), [b])", 8, "Left", "Left expects 2 arguments, got 1"),
    ('Switch([a], "d", "k")', 1, "Switch", "at least 4"),
    ('Switch([a], "d", "k", "v", "k2")', 1, "Switch", "even number"),
    ("Guid(1)", 1, "Guid", "Guid expects 0 arguments, got 1"),
    ("Append([], [b])", 8, "[]", "attribute name is empty"),
    ("Append([a], Contoso)", 13, "Contoso", "unknown name 'Contoso'"),
    ('Join(",", SelectUniqueValue([a], [b]))', 11, "SelectUniqueValue", "top level"),
    ("   ", 1, "", "empty"),
    ("Append([a], \"x\") = = 1", 20, "=", "unexpected '='"),
]


@pytest.mark.parametrize(("text", "position", "offending", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_errors_report_position_and_offending_text(text, position, offending, message):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    error = info.value
    assert not isinstance(error, ExpressionEvaluationError)
    assert (error.position, error.offending) == (position, offending)
    assert message in str(error) and f"position {position}" in str(error)


def test_multiline_error_has_line_and_column():
    with pytest.raises(ExpressionError) as info:
        parse_expression('Switch([Active], , \n  "1", Foo(), \n  "0", "False")')
    assert (info.value.line, info.value.column, info.value.offending) == (2, 8, "Foo")


def test_length_limit():
    with pytest.raises(ExpressionError, match="limit is 10000") as info:
        parse_expression('Append([a], "' + "x" * 10_000 + '")')
    assert info.value.position == 10_001


def test_graph_parse_expression_documented_example():
    """Graph's published parseExpression example, request and response."""
    properties = [{"key": "preferredLanguage", "value": "EN-US"}, {"key": "country", "value": "USA"},
                  {"key": "appRoleAssignments", "value@odata.type": "#Collection(String)",
                   "value": ["Default Assignment"]}]
    response = parse_expression_response('Replace([preferredLanguage], "-", , , "_", ,  )',
                                         {"definition": None, "properties": properties})
    assert response == {
        "error": None,
        "evaluationSucceeded": True,
        "evaluationResult": ["EN_US"],
        "parsedExpression": {
            "expression": 'Replace([preferredLanguage], "-", , , "_", , )',
            "name": "Replace",
            "parameters": [
                {"key": "source", "value": {"expression": "[preferredLanguage]", "name": "preferredLanguage",
                                            "parameters": [], "type": "Attribute"}},
                {"key": "Find", "value": {"expression": '"-"', "name": "-", "parameters": [], "type": "Constant"}},
                {"key": "Replacement", "value": {"expression": '"_"', "name": "_", "parameters": [],
                                                 "type": "Constant"}},
            ],
            "type": "Function",
        },
        "parsingSucceeded": True,
    }


def test_graph_shape_of_numbers_is_string_constants():
    graph = parse_expression("Mid([userPrincipalName], 1, 8)").to_graph()
    assert graph["expression"] == "Mid([userPrincipalName], 1, 8)"
    assert [p["key"] for p in graph["parameters"]] == ["source", "start", "length"]
    assert graph["parameters"][1]["value"] == {"expression": '"1"', "name": "1", "parameters": [], "type": "Constant"}


def test_parse_expression_response_on_parse_error():
    response = parse_expression_response("Mid([a], 1", {"properties": []})
    assert response["parsingSucceeded"] is False and response["evaluationSucceeded"] is False
    assert response["parsedExpression"] is None
    assert response["error"]["code"] == "ExpressionParseFailure"
    assert response["error"]["details"] == [{"code": "Position", "message": "11", "target": ""}]
    json.dumps(response)


def test_parse_expression_response_on_evaluation_error_and_null_results():
    failed = parse_expression_response('CDate([d])', {"properties": [{"key": "d", "value": "soon"}]})
    assert failed["parsingSucceeded"] is True and failed["evaluationSucceeded"] is False
    assert failed["error"]["code"] == "ExpressionEvaluationFailure"
    empty = parse_expression_response("IgnoreFlowIfNullOrEmpty([d])", {"properties": []})
    assert empty["evaluationSucceeded"] is True and empty["evaluationResult"] == []
    multi = parse_expression_response('Split([d], ",")', {"d": "a,b"})
    assert multi["evaluationResult"] == ["a", "b"]
    boolean = parse_expression_response("IsNull([d])", {})
    assert boolean["evaluationResult"] == ["True"]
    unparsed_only = parse_expression_response("IsNull([d])")
    assert unparsed_only["parsingSucceeded"] is True and unparsed_only["evaluationResult"] is None


# --- property: generated well-formed expressions ---------------------------------------------

ATTRS = ["givenName", "surname", "mail", "country", "proxyAddresses", "flag"]
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
string_constant = texts.map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"')
leaf = st.one_of(st.sampled_from([f"[{a}]" for a in ATTRS]), string_constant,
                 st.integers(-5, 20).map(str))


def _call(children):
    one = children
    opt = st.one_of(st.just(""), children)
    return st.one_of(
        st.tuples(st.sampled_from(["ToLower", "ToUpper", "StripSpaces", "NormalizeDiacritics", "IsNull",
                                   "IsPresent", "IsNullOrEmpty", "CStr", "Count", "Not", "PCase", "Redact",
                                   "IsString", "RemoveDuplicates", "IgnoreFlowIfNullOrEmpty"]), one)
        .map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(one, opt).map(lambda t: f"ToLower({t[0]}, {t[1]})" if t[1] else f"ToLower({t[0]}, )"),
        st.tuples(one, one).map(lambda t: f"Append({t[0]},{t[1]})"),
        st.lists(one, min_size=1, max_size=4).map(lambda xs: f"Join(\", \", {', '.join(xs)})"),
        st.lists(one, min_size=1, max_size=3).map(lambda xs: f"Coalesce({','.join(xs)})"),
        st.tuples(one, opt, st.lists(st.tuples(one, one), min_size=1, max_size=3)).map(
            lambda t: f"Switch({t[0]}, {t[1]}, {', '.join(k + ', ' + v for k, v in t[2])})"),
        st.tuples(one, st.sampled_from(["=", "<>", ">", "<=", ">=", "<"]), one, one, one).map(
            lambda t: f"IIF({t[0]} {t[1]} {t[2]}, {t[3]}, {t[4]})"),
        st.tuples(one, one, one).map(lambda t: f"IIF(IsPresent({t[0]}), {t[1]}, {t[2]})"),
    )


expressions = st.recursive(leaf, _call, max_leaves=12)
values = st.one_of(st.none(), texts, st.lists(texts, max_size=3), st.booleans())
sources = st.fixed_dictionaries({}, optional={a: values for a in ATTRS})


@settings(max_examples=200, deadline=None)
@given(expressions, sources)
def test_generated_expressions_round_trip_and_evaluate(text, source):
    expression = parse_expression(text)
    graph = expression.to_graph()
    again = parse_expression(graph["expression"])
    assert again.to_graph() == graph
    assert again.canonical() == graph["expression"]
    try:
        first = expression.evaluate(source)
    except ExpressionEvaluationError as exc:  # a clear, positioned error is acceptable (e.g. CBool("x"))
        assert exc.position is not None
        return
    second = again.evaluate(source)
    assert first == second or first is IGNORE and second is IGNORE
    json.dumps(parse_expression_response(text, {"properties": [{"key": k, "value": v} for k, v in source.items()]}))
