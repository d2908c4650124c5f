"""Evaluate the Terraform expressions of infra/*.tf, so the harness uses what infra declares, not a copy.

python-hcl2 gives attribute values as text (``"${merge(local.function_env, local.caller_env[each.key])}"``);
:class:`Evaluator` parses such text with python-hcl2's own grammar and evaluates it: literals,
templates, ``var.*`` (defaults, or the harness's values), ``local.*`` (evaluated on demand, or
overridden), ``each.*`` and other names bound by the caller, for-expressions, conditionals,
operators and the functions infra uses. A reference to a resource attribute
(``google_service_account.scheduler.email``) is handed to the harness's resolver, which answers
what Google would have assigned, or raises :class:`Unresolved` naming it: an expression the
harness cannot evaluate fails loudly instead of being guessed.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import hcl2
from lark import Token, Tree


class Unresolved(LookupError):
    """An expression names something the harness cannot evaluate."""


@dataclass(frozen=True, slots=True)
class Ref:
    """A path into a namespace not resolved yet (``google_service_account``, ``fn``, ``each.key``, ``email``)."""

    path: tuple[Any, ...]


Resolver = Callable[[tuple[Any, ...]], Any]
_SKIP = {"new_line_or_comment"}


def _children(node: Tree) -> list[Any]:
    return [c for c in node.children if not (isinstance(c, Tree) and c.data in _SKIP)]


def _trees(node: Tree) -> list[Tree]:
    return [c for c in _children(node) if isinstance(c, Tree)]


class Evaluator:
    """Evaluates expression text against variables, locals and a resource resolver."""

    def __init__(
        self,
        variables: Mapping[str, Any],
        locals_: Mapping[str, Any],
        resolve: Resolver,
        *,
        local_overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self._variables = dict(variables)
        self._locals_src = dict(locals_)
        self._local_values: dict[str, Any] = dict(local_overrides or {})
        self._resolve = resolve
        self._parsed: dict[str, Tree] = {}

    # ------------------------------------------------------------ entry points

    def value(self, raw: Any, scope: Mapping[str, Any] | None = None) -> Any:
        """The value of ``raw`` as python-hcl2 gave it (text with ``${}``, or nested dicts and lists)."""
        scope = dict(scope or {})
        if isinstance(raw, dict):
            return {k: self.value(v, scope) for k, v in raw.items()}
        if isinstance(raw, list):
            return [self.value(v, scope) for v in raw]
        if not isinstance(raw, str) or "${" not in raw:
            return raw
        return self._real(self._eval(self._parse(raw), scope))

    def local(self, name: str) -> Any:
        """``local.<name>``, evaluated once."""
        if name not in self._local_values:
            if name not in self._locals_src:
                raise Unresolved(f"infra declares no local.{name}")
            self._local_values[name] = self.value(self._locals_src[name])
        return self._local_values[name]

    def variable(self, name: str) -> Any:
        """``var.<name>``: the harness's value or the declared default."""
        if name not in self._variables:
            raise Unresolved(f"var.{name} has no default and the harness gives it no value")
        return self._variables[name]

    # ------------------------------------------------------------ parsing

    def _parse(self, text: str) -> Tree:
        tree = self._parsed.get(text)
        if tree is None:
            source = "x = " + _as_source(text) + "\n"
            body = _trees(hcl2.parses_to_tree(source))[0]
            attribute = _trees(body)[0]
            tree = self._parsed[text] = _trees(attribute)[-1]
        return tree

    # ------------------------------------------------------------ evaluation

    def _real(self, value: Any) -> Any:
        if isinstance(value, Ref):
            return self._real(self._resolve(value.path))
        return value

    def _eval(self, node: Any, scope: dict[str, Any]) -> Any:
        if isinstance(node, Token):
            raise Unresolved(f"unexpected token {node!r}")
        kind = node.data
        parts = _trees(node)
        if kind == "expr_term":
            return self._eval(parts[0], scope)
        if kind in ("int_lit", "float_lit"):
            text = str(node.children[0])
            return float(text) if kind == "float_lit" else int(text)
        if kind == "literal_value":
            return {"true": True, "false": False, "null": None}[str(node.children[0])]
        if kind == "string":
            return self._string(node, scope)
        if kind == "identifier":
            return self._name(str(node.children[0]), scope)
        if kind == "get_attr_expr_term":
            base = self._eval(parts[0], scope)
            return self._attr(base, str(_trees(parts[1])[0].children[0]))
        if kind == "index_expr_term":
            base = self._eval(parts[0], scope)
            index = parts[1]
            key = (
                int(str(index.children[1]))
                if index.data == "short_index"
                else self._real(self._eval(_trees(index)[0], scope))
            )
            return self._index(base, key)
        if kind == "function_call":
            return self._call(node, scope)
        if kind == "tuple":
            return [self._real(self._eval(p, scope)) for p in parts]
        if kind == "object":
            return self._object(parts, scope)
        if kind == "conditional":
            condition = self._real(self._eval(parts[0], scope))
            return self._eval(parts[1] if condition else parts[2], scope)
        if kind == "binary_op":
            return self._binary(parts[0], parts[1], scope)
        if kind == "unary_op":
            operator = str(node.children[0])
            operand = self._real(self._eval(parts[0], scope))
            return -operand if operator == "-" else not operand
        if kind in ("for_object_expr", "for_tuple_expr"):
            return self._for(node, scope)
        raise Unresolved(f"the harness does not evaluate {kind} expressions")

    def _string(self, node: Tree, scope: dict[str, Any]) -> Any:
        pieces: list[Any] = []
        for part in _trees(node):
            inner = part.children[0]
            if isinstance(inner, Tree) and inner.data == "interpolation":
                pieces.append(self._real(self._eval(_trees(inner)[0], scope)))
            elif isinstance(inner, Token) and inner.type in ("STRING_CHARS", "ESCAPED_INTERPOLATION"):
                text = str(inner)
                pieces.append(text[1:] if inner.type == "ESCAPED_INTERPOLATION" else _unescape(text))
            else:
                raise Unresolved("template directives are not evaluated by the harness")
        if len(pieces) == 1 and not isinstance(pieces[0], str):
            return pieces[0]  # "${expr}" alone keeps the expression's type
        return "".join(_text(p) for p in pieces)

    def _name(self, name: str, scope: dict[str, Any]) -> Any:
        if name in scope:
            return scope[name]
        return Ref((name,))

    def _attr(self, base: Any, name: str) -> Any:
        if isinstance(base, Ref):
            if base.path == ("var",):
                return self.variable(name)
            if base.path == ("local",):
                return self.local(name)
            return Ref((*base.path, name))
        if isinstance(base, Mapping) and name in base:
            return base[name]
        raise Unresolved(f"no attribute {name!r} on {type(base).__name__}")

    def _index(self, base: Any, key: Any) -> Any:
        if isinstance(base, Ref):
            return Ref((*base.path, key))
        try:
            return base[key]
        except (KeyError, IndexError, TypeError) as exc:
            raise Unresolved(f"no element {key!r}") from exc

    def _object(self, parts: list[Tree], scope: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for elem in parts:
            key_node, value_node = _trees(elem)[0], _trees(elem)[-1]
            key_expr = _trees(key_node)[0]
            if key_expr.data == "expr_term" and _trees(key_expr)[0].data == "identifier":
                key = str(_trees(key_expr)[0].children[0])
            else:
                key = _text(self._real(self._eval(key_expr, scope)))
            out[key] = self._real(self._eval(value_node, scope))
        return out

    def _binary(self, left: Tree, term: Tree, scope: dict[str, Any]) -> Any:
        operator = str(_trees(term)[0].children[0])
        a = self._real(self._eval(left, scope))
        if operator == "&&" and not a:
            return False
        if operator == "||" and a:
            return True
        b = self._real(self._eval(_trees(term)[1], scope))
        operations: dict[str, Callable[[Any, Any], Any]] = {
            "==": lambda x, y: x == y,
            "!=": lambda x, y: x != y,
            "<": lambda x, y: x < y,
            ">": lambda x, y: x > y,
            "<=": lambda x, y: x <= y,
            ">=": lambda x, y: x >= y,
            "+": lambda x, y: x + y,
            "-": lambda x, y: x - y,
            "*": lambda x, y: x * y,
            "/": lambda x, y: x / y,
            "%": lambda x, y: x % y,
            "&&": lambda x, y: bool(y),
            "||": lambda x, y: bool(y),
        }
        return operations[operator](a, b)

    def _for(self, node: Tree, scope: dict[str, Any]) -> Any:
        intro = next(t for t in _trees(node) if t.data == "for_intro")
        names = [str(t.children[0]) for t in _trees(intro) if t.data == "identifier"]
        collection = self._real(self._eval(_trees(intro)[-1], scope))
        body = [t for t in _trees(node) if t.data not in ("for_intro", "for_cond")]
        condition = next((t for t in _trees(node) if t.data == "for_cond"), None)
        if any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children):
            raise Unresolved("grouping for-expressions (...) are not evaluated by the harness")
        items = sorted(collection.items()) if isinstance(collection, Mapping) else list(enumerate(collection))
        is_object = node.data == "for_object_expr"
        out_map: dict[str, Any] = {}
        out_list: list[Any] = []
        for key, value in items:
            inner = {**scope, **({names[0]: key, names[1]: value} if len(names) == 2 else {names[0]: value})}
            if condition is not None and not self._real(self._eval(_trees(condition)[0], inner)):
                continue
            if is_object:
                out_map[_text(self._real(self._eval(body[0], inner)))] = self._real(self._eval(body[1], inner))
            else:
                out_list.append(self._real(self._eval(body[0], inner)))
        return out_map if is_object else out_list

    def _call(self, node: Tree, scope: dict[str, Any]) -> Any:
        name = str(_trees(node)[0].children[0])
        arguments = next((t for t in _trees(node) if t.data == "arguments"), None)
        nodes = _trees(arguments) if arguments is not None else []
        if name == "try":
            for candidate in nodes:
                try:
                    return self._real(self._eval(candidate, scope))
                except (Unresolved, KeyError, IndexError, TypeError):
                    continue
            raise Unresolved("no argument of try() evaluates")
        args = [self._real(self._eval(n, scope)) for n in nodes]
        if arguments is not None and any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in arguments.children):
            args = [*args[:-1], *args[-1]]  # f(list...) expands the last argument
        function = _FUNCTIONS.get(name)
        if function is None:
            raise Unresolved(f"the harness does not evaluate {name}()")
        return function(*args)


def _as_source(text: str) -> str:
    """HCL source for python-hcl2's text of a value: a quoted template (the expression form included)."""
    return '"' + text + '"'


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _replace(text: str, search: str, replacement: str) -> str:
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        return re.sub(search[1:-1], re.sub(r"\$(\d)", r"\\\1", replacement), text)
    return text.replace(search, replacement)


def _merge(*maps: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in maps:
        out.update(item or {})
    return out


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "merge": _merge,
    "replace": _replace,
    "min": min,
    "max": max,
    "base64encode": lambda s: base64.b64encode(_text(s).encode()).decode(),
    "base64decode": lambda s: base64.b64decode(s).decode(),
    "lower": lambda s: _text(s).lower(),
    "upper": lambda s: _text(s).upper(),
    "tostring": _text,
    "tonumber": lambda s: float(s) if "." in str(s) else int(s),
    "toset": lambda items: sorted(set(items)),
    "tolist": list,
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "length": len,
    "contains": lambda items, x: x in items,
    "join": lambda sep, items: sep.join(_text(i) for i in items),
    "concat": lambda *lists: [x for part in lists for x in part],
    "flatten": lambda items: [x for part in items for x in (part if isinstance(part, list) else [part])],
    "coalesce": lambda *xs: next(x for x in xs if x not in (None, "")),
    "trimsuffix": lambda s, suffix: s[: -len(suffix)] if suffix and s.endswith(suffix) else s,
    "format": lambda spec, *xs: spec.replace("%s", "{}").format(*xs),
}
