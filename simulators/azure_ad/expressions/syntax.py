"""Syntax of Azure AD attribute-mapping expressions: grammar, syntax tree, canonical text.

Why lark (LALR, contextual lexer) rather than a hand-written parser: the language is a small,
regular, context-free grammar, lark is already a project dependency, and its tokens carry the
offsets we need to report errors the way Azure's "Test an expression" does (column + offending
text). LALR also rejects every malformed input at the first bad token, so the column we report is
the first place the text stops being an expression — not a guess made after the fact.

Grammar, from Microsoft's "Reference for writing expressions for attribute mappings"
(functions-for-customizing-application-data.md) and azure-ad-behaviour.md §8.2:

* "The entire expression must be defined in terms of functions, which consist of a name followed by
  arguments in parentheses" — ``Name(arg, ...)``; function names are case-sensitive ("The syntax is
  case-sensitive").
* "Attributes, which must be enclosed in square brackets" — ``[userPrincipalName]``,
  ``[extension_<appId>_foo]``, ``[passwordProfile.password]``; a name is anything but ``]``.
* "String constants, which must be enclosed in double quotes"; "if you need a backslash ( \\ ) or
  quotation mark ( \" ) in the string, it must be escaped with the backslash".
* Empty arguments are accepted: ``Replace([mail], "@contoso.com", , ,"", ,)`` and the seed's
  ``ToLower([country], )`` / ``Switch(x, , ...)``. An empty argument is an absent optional parameter.
* Bare numbers (``Mid(x, 1, 3)``, ``Join("", 1000, ...)``, ``DateAdd("d", -10, ...)``), VBA hex
  literals (``BitAnd(&HF, &HF7)``) and VBA enum names (``InStr("repEated","e",3,vbBinaryCompare)``).
* Comparisons inside conditions: ``=``, ``<>``, ``>``, ``>=``, ``<``, ``<=``
  (``IIF([country]="USA",...)``, ``CBool([a] = [b])``, ``DateDiff(...) > 5``); no AND/OR.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

#: "Expressions max 10,000 characters" (azure-ad-behaviour.md §8.1).
MAX_EXPRESSION_LENGTH = 10_000

#: VBA enum constants the documented examples pass bare; anything else bare is an error.
BARE_CONSTANTS = frozenset({"vbTextCompare", "vbBinaryCompare", "True", "False"})

_GRAMMAR = r"""
    start: expr
    ?expr: operand
         | operand COMPARATOR operand  -> comparison
    ?operand: call
            | ATTRIBUTE                -> attribute
            | STRING                   -> string
            | NUMBER                   -> number
            | HEX                      -> hex
            | NAME                     -> bare
    call: NAME "(" arglist ")"
    arglist: [expr] ("," [expr])*

    COMPARATOR: "<>" | "<=" | ">=" | "=" | "<" | ">"
    ATTRIBUTE: /\[[^\]\r\n]*\]/
    STRING: /"(?:[^"\\]|\\.)*"/s
    NUMBER: /-?[0-9]+(?:\.[0-9]+)?/
    HEX: /&H[0-9A-Fa-f]+/
    NAME: /[A-Za-z_][A-Za-z0-9_]*/
    %import common.WS
    %ignore WS
"""

_TOKEN_WORDS = {
    "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "COMPARATOR": "a comparison operator",
    "ATTRIBUTE": "an [attribute]", "STRING": "a \"string\"", "NUMBER": "a number", "HEX": "a &H number",
    "NAME": "a function name", "$END": "end of expression",
}


class ExpressionError(ValueError):
    """A malformed expression, reported like Azure's "Test an expression": message plus where.

    ``position`` is the 1-based character offset of the offending text in the whole expression
    (equal to the column for the usual single-line expression); ``line``/``column`` locate it in
    multi-line text; ``offending`` is the text found there ("" at end of input)."""

    def __init__(self, message: str, position: int | None = None, *, offending: str | None = None,
                 text: str | None = None) -> None:
        self.message = message
        self.position = position
        self.offending = offending
        self.line, self.column = _line_column(text, position)
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"{message}{where}")


def _line_column(text: str | None, position: int | None) -> tuple[int | None, int | None]:
    if text is None or position is None:
        return None, position
    before = text[: position - 1]
    line = before.count("\n") + 1
    return line, position - (before.rfind("\n") + 1)


# --- syntax tree -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribute:
    name: str
    position: int


@dataclass(frozen=True)
class Constant:
    """A literal. ``kind`` keeps how it was written (string, number, hex, bare) so the canonical
    text re-parses to the same tree; ``value`` is always the string Graph shows as ``name``."""

    value: str
    kind: str
    position: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node | None, ...]  # None = empty argument (absent optional parameter)
    position: int


@dataclass(frozen=True)
class Comparison:
    operator: str
    left: Node
    right: Node
    position: int


Node = Attribute | Constant | Call | Comparison


def quote(value: str) -> str:
    """A string constant as expression text (inverse of the parser's unescaping)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(node: Node | None) -> str:
    """Canonical expression text: arguments joined by ", ", empty arguments left empty — the form
    Graph echoes (``Replace([preferredLanguage], "-", , , "_", , )``)."""
    if node is None:
        return ""
    if isinstance(node, Attribute):
        return f"[{node.name}]"
    if isinstance(node, Constant):
        return quote(node.value) if node.kind == "string" else node.value
    if isinstance(node, Comparison):
        return f"{render(node.left)} {node.operator} {render(node.right)}"
    return f"{node.name}({', '.join(render(arg) for arg in node.args)})"


# --- parsing ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", maybe_placeholders=True, propagate_positions=True)


def parse_tree(text: str) -> Node:
    """Parse ``text`` into a syntax tree; raises :class:`ExpressionError` with the position."""
    if not isinstance(text, str):
        raise ExpressionError(f"expression must be a string, not {type(text).__name__}")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression is {len(text)} characters; the limit is {MAX_EXPRESSION_LENGTH}",
                              MAX_EXPRESSION_LENGTH + 1, offending=text[MAX_EXPRESSION_LENGTH:][:20], text=text)
    if not text.strip():
        raise ExpressionError("expression is empty", 1, offending="", text=text)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    return _build(tree.children[0], text)


def _syntax_error(text: str, exc: UnexpectedInput) -> ExpressionError:
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream + 1
        char = text[exc.pos_in_stream]
        if char == '"':
            return ExpressionError("unterminated string constant", pos, offending=text[exc.pos_in_stream:][:20],
                                   text=text)
        if char == "[":
            return ExpressionError("unterminated attribute reference (missing ']')", pos,
                                   offending=text[exc.pos_in_stream:][:20], text=text)
        return ExpressionError(f"unexpected character {char!r}", pos, offending=char, text=text)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        expected = getattr(exc, "expected", None) or getattr(exc, "accepts", None) or ()
        return ExpressionError(f"unexpected end of expression; expected {_expected(expected)}",
                               len(text.rstrip()) + 1, offending="", text=text)
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    return ExpressionError(f"unexpected {str(token)!r}; expected {_expected(exc.accepts or exc.expected)}",
                           token.start_pos + 1, offending=str(token), text=text)


def _expected(names: object) -> str:
    words = sorted({_TOKEN_WORDS.get(name, name) for name in names})  # type: ignore[union-attr]
    return " or ".join(words) if words else "something else"


def _build(item: Tree | Token | None, text: str) -> Node:
    assert isinstance(item, Tree), item
    kind = item.data
    if kind == "call":
        name_token, arglist = item.children
        args = tuple(None if arg is None else _build(arg, text) for arg in arglist.children)
        if args == (None,):
            args = ()  # ``Now()``: no arguments, not one empty argument
        return Call(str(name_token), args, name_token.start_pos + 1)
    if kind == "comparison":
        left, op, right = item.children
        return Comparison(str(op), _build(left, text), _build(right, text), op.start_pos + 1)
    (token,) = item.children
    pos = token.start_pos + 1
    raw = str(token)
    if kind == "attribute":
        name = raw[1:-1].strip()
        if not name:
            raise ExpressionError("attribute name is empty", pos, offending=raw, text=text)
        return Attribute(name, pos)
    if kind == "string":
        return Constant(_unescape(raw[1:-1]), "string", pos)
    if kind == "number":
        return Constant(raw, "number", pos)
    if kind == "hex":
        return Constant(raw, "hex", pos)
    if kind == "bare":
        if raw not in BARE_CONSTANTS:
            raise ExpressionError(
                f"unknown name {raw!r}: attributes go in [brackets], strings in \"quotes\", "
                f"functions need parentheses", pos, offending=raw, text=text)
        return Constant(raw, "bare", pos)
    raise AssertionError(kind)  # pragma: no cover - grammar and builder disagree


def _unescape(body: str) -> str:
    """``\\"`` → ``"`` and ``\\\\`` → ``\\``; any other backslash is kept as written (lenient, so a
    regex written with single backslashes still reaches the regex engine)."""
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body) and body[i + 1] in '"\\':
            out.append(body[i + 1])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)
