"""Where .NET treats text differently from Python, done the .NET way: the provisioning service is a .NET
service, so Replace's substitution strings and ToLower/ToUpper/PCase follow .NET's rules."""

from __future__ import annotations


def dotnet_replacement(template: str) -> str:
    """Translate a .NET substitution string (``${name}``, ``$1``, ``$&``, ``$$``) for ``regex.sub``."""
    out, i = [], 0
    while i < len(template):
        char = template[i]
        if char == "$" and i + 1 < len(template):
            nxt = template[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt == "&":
                out.append(r"\g<0>")
                i += 2
                continue
            if nxt == "{":
                end = template.find("}", i)
                if end > i + 2:
                    out.append(rf"\g<{template[i + 2:end]}>")
                    i = end + 1
                    continue
            if nxt.isdigit():
                j = i + 1
                while j < len(template) and template[j].isdigit():
                    j += 1
                out.append(rf"\g<{template[i + 1:j]}>")
                i = j
                continue
        out.append("\\\\" if char == "\\" else char)
        i += 1
    return "".join(out)


def lower_invariant(char: str) -> str:
    """.NET maps one char to one char (simple case mapping): 'İ' → 'i', not Python's 'i̇'."""
    lowered = char.lower()
    return lowered if len(lowered) == 1 else {"İ": "i"}.get(char, char)


def upper_invariant(char: str) -> str:
    """'ß' stays 'ß' in .NET's invariant ToUpper (Python gives 'SS')."""
    upper = char.upper()
    return upper if len(upper) == 1 else char
