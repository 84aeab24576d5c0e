"""Trusted: the string subset of the description language (issue 14), parsed with `ast`, never executed.

A string function is `def NAME(s): ...` over one string argument. Supported (anything else is refused with
one line naming the construct): string and integer literals, `s[i]`, `s[a:b:c]` (integer expressions),
`+` (concatenation / integer sum), `*` (a string times an integer literal <= 16; integer product),
`- // %` on integers, `len(e)`, `str(int)`, the methods `upper lower capitalize swapcase title strip lstrip
rstrip` (no arguments), `replace(a, b)`, `count(a)`, `find(a)`, `startswith(a)`, `endswith(a)`, `isupper()`,
`islower()`, `isalpha()`, `isdigit()`, character tables `e.translate(str.maketrans("abc", "xyz"[, "del"]))` or
`str.maketrans({"a": "x", ...})` (literal arguments), `a in e`, comparisons, `and or not`, conditional
expressions, `if` statements and local assignments. Literals are printable ASCII.

Semantics: Python's on ASCII strings (the evaluator below is pybridge's own interpreter of this IR; it uses
Python's str operations on values, never the input's code). A runtime error of Python (an index out of range,
`//` or `%` by 0) is the value ERROR: f and g agree on s iff they give the same value (both ERROR counts as
equal, which is what "the description raises where the function raises" means).
"""

from __future__ import annotations

import ast
import itertools

from pybridge.check.errors import InputError
from pybridge.check.function.lang import MAX_SOURCE, one_def

MAX_NODES = 2000
MAX_LIT = 256
MAX_REPEAT = 16
MAX_INT = 1 << 31
MAX_STR_BOUND = 1 << 16  # static bound on the length of any intermediate string, from the shapes
ERROR = ("ERROR",)
_PRINTABLE = {chr(c) for c in range(32, 127)}

METHODS0 = {"upper", "lower", "capitalize", "swapcase", "title", "strip", "lstrip", "rstrip"}
PRED0 = {"isupper", "islower", "isalpha", "isdigit"}
METHODS1 = {"count": "int", "find": "int", "startswith": "bool", "endswith": "bool"}


class _Refuse(Exception):
    pass


def _lit(v: object) -> str:
    if not isinstance(v, str) or len(v) > MAX_LIT or not set(v) <= _PRINTABLE:
        raise _Refuse(f"string literals must be printable ASCII of at most {MAX_LIT} characters")
    return v


class _T:
    """ast -> typed IR: every expression is (type, node) with type in str/int/bool."""

    def __init__(self, param: str) -> None:
        self.param, self.nodes = param, 0

    def count(self, extra: int = 1) -> None:
        self.nodes += extra
        if self.nodes > MAX_NODES:
            raise _Refuse(f"the function has more than {MAX_NODES} expression nodes")

    def block(self, stmts: list, env: dict) -> tuple:
        env = dict(env)
        for i, st in enumerate(stmts):
            if isinstance(st, ast.Return):
                if st.value is None:
                    raise _Refuse(f"bare return at line {st.lineno}")
                return self.expr(st.value, env)
            if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
                name = st.targets[0].id
                if name in ("str", "len"):
                    raise _Refuse(f"assignment to {name!r} at line {st.lineno}")
                env[name] = self.expr(st.value, env)
                continue
            if isinstance(st, ast.If):
                c = self.cond(st.test, env)
                rest = list(stmts[i + 1:])
                a, b = self.block(list(st.body) + rest, env), self.block(list(st.orelse) + rest, env)
                if a[0] != b[0]:
                    raise _Refuse(f"the branches of the if at line {st.lineno} return different types")
                return (a[0], ("if", c, a[1], b[1]))
            if isinstance(st, ast.Pass) or (isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant)
                                            and isinstance(st.value.value, str)):
                continue
            raise _Refuse(f"statement {type(st).__name__} at line {getattr(st, 'lineno', '?')} is not in the string language")
        raise _Refuse("a path through the function ends without return")

    def want(self, e: ast.expr, env: dict, ty: str) -> tuple:
        t, n = self.expr(e, env)
        if t != ty:
            raise _Refuse(f"expected {ty}, got {t} at line {getattr(e, 'lineno', '?')}")
        return n

    def expr(self, e: ast.expr, env: dict) -> tuple:
        self.count()
        line = getattr(e, "lineno", "?")
        if isinstance(e, ast.Constant):
            if isinstance(e.value, str):
                return ("str", ("lit", _lit(e.value)))
            if isinstance(e.value, int) and not isinstance(e.value, bool):
                if abs(e.value) > MAX_INT:
                    raise _Refuse(f"integer literal larger than 2^31 at line {line}")
                return ("int", ("int", e.value))
            raise _Refuse(f"literal of type {type(e.value).__name__} at line {line}")
        if isinstance(e, ast.Name):
            if e.id in env:  # a local, or the argument (possibly re-assigned: `s = s[::-1]`)
                self.count(_size(env[e.id][1]))
                return env[e.id]
            raise _Refuse(f"unknown name {e.id!r} at line {line}")
        if isinstance(e, ast.BinOp):
            (ta, a), (tb, b) = self.expr(e.left, env), self.expr(e.right, env)
            if isinstance(e.op, ast.Add) and ta == tb == "str":
                return ("str", ("concat", a, b))
            if isinstance(e.op, ast.Mult) and {ta, tb} == {"str", "int"}:
                n = b if tb == "int" else a
                if n[0] != "int" or not 0 <= n[1] <= MAX_REPEAT:
                    raise _Refuse(f"a string may only be repeated by an integer literal 0..{MAX_REPEAT} (line {line})")
                return ("str", ("repeat", a if ta == "str" else b, n[1]))
            ops = {ast.Add: "iadd", ast.Sub: "isub", ast.Mult: "imul", ast.FloorDiv: "idiv", ast.Mod: "imod"}
            if ta == tb == "int" and type(e.op) in ops:
                return ("int", (ops[type(e.op)], a, b))
            raise _Refuse(f"operator {type(e.op).__name__} on {ta} and {tb} at line {line}")
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
            return ("int", ("isub", ("int", 0), self.want(e.operand, env, "int")))
        if isinstance(e, ast.Subscript):
            base = self.want(e.value, env, "str")
            sl = e.slice
            if isinstance(sl, ast.Slice):
                parts = [None if p is None else self.want(p, env, "int") for p in (sl.lower, sl.upper, sl.step)]
                if parts[2] is not None and parts[2] == ("int", 0):
                    raise _Refuse(f"slice step 0 at line {line}")
                return ("str", ("slice", base, *parts))
            return ("str", ("index", base, self.want(sl, env, "int")))
        if isinstance(e, ast.IfExp):
            c = self.cond(e.test, env)
            (ta, a), (tb, b) = self.expr(e.body, env), self.expr(e.orelse, env)
            if ta != tb:
                raise _Refuse(f"the branches of the conditional at line {line} have different types")
            return (ta, ("if", c, a, b))
        if isinstance(e, (ast.Compare, ast.BoolOp)) or (isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not)):
            return ("bool", self.cond(e, env))
        if isinstance(e, ast.Call):
            return self.call(e, env)
        raise _Refuse(f"expression {type(e).__name__} at line {line} is not in the string language")

    def call(self, e: ast.Call, env: dict) -> tuple:
        line = e.lineno
        if e.keywords or any(isinstance(a, ast.Starred) for a in e.args):
            raise _Refuse(f"keyword or starred arguments at line {line}")
        f = e.func
        if isinstance(f, ast.Name) and f.id == "len" and len(e.args) == 1:
            return ("int", ("len", self.want(e.args[0], env, "str")))
        if isinstance(f, ast.Name) and f.id == "str" and len(e.args) == 1:
            return ("str", ("str", self.want(e.args[0], env, "int")))
        if isinstance(f, ast.Attribute) and not (isinstance(f.value, ast.Name) and f.value.id == "str"):
            m = f.attr
            if m in METHODS0 | PRED0 and not e.args:
                base = self.want(f.value, env, "str")
                return ("bool", ("pred", m, base)) if m in PRED0 else ("str", ("m0", m, base))
            if m == "replace" and len(e.args) == 2:
                base = self.want(f.value, env, "str")
                return ("str", ("replace", base, self.want(e.args[0], env, "str"), self.want(e.args[1], env, "str")))
            if m in METHODS1 and len(e.args) == 1:
                base = self.want(f.value, env, "str")
                return (METHODS1[m], ("m1", m, base, self.want(e.args[0], env, "str")))
            if m == "translate" and len(e.args) == 1:
                base = self.want(f.value, env, "str")
                return ("str", ("translate", base, self.table(e.args[0])))
        name = f.id if isinstance(f, ast.Name) else (f.attr if isinstance(f, ast.Attribute) else type(f).__name__)
        raise _Refuse(f"call of {name!r} at line {line} is not in the string language")

    def table(self, a: ast.expr) -> tuple:
        """str.maketrans with literal arguments -> ((char, replacement or None), ...) sorted."""
        ok = (isinstance(a, ast.Call) and isinstance(a.func, ast.Attribute) and a.func.attr == "maketrans"
              and isinstance(a.func.value, ast.Name) and a.func.value.id == "str" and not a.keywords)
        if not ok:
            raise _Refuse(f"translate needs str.maketrans(...) with literal arguments (line {a.lineno})")
        args = a.args
        tab: dict[str, str | None] = {}
        if len(args) == 1 and isinstance(args[0], ast.Dict):
            for k, v in zip(args[0].keys, args[0].values):
                if not (isinstance(k, ast.Constant) and isinstance(v, ast.Constant)):
                    raise _Refuse(f"str.maketrans dict must map literal characters to literal strings (line {a.lineno})")
                kk = _lit(k.value)
                if len(kk) != 1:
                    raise _Refuse(f"str.maketrans dict keys must be single characters (line {a.lineno})")
                tab[kk] = None if v.value is None else _lit(v.value)
        elif 2 <= len(args) <= 3 and all(isinstance(x, ast.Constant) for x in args):
            frm, to = _lit(args[0].value), _lit(args[1].value)
            if len(frm) != len(to):
                raise _Refuse(f"str.maketrans arguments must have equal length (line {a.lineno})")
            tab.update(zip(frm, to))
            if len(args) == 3:
                tab.update((c, None) for c in _lit(args[2].value))
        else:
            raise _Refuse(f"str.maketrans needs literal arguments (line {a.lineno})")
        return tuple(sorted(tab.items()))

    def cond(self, e: ast.expr, env: dict) -> tuple:
        self.count()
        line = getattr(e, "lineno", "?")
        if isinstance(e, ast.BoolOp):
            out = self.cond(e.values[0], env)
            for v in e.values[1:]:
                out = ("and" if isinstance(e.op, ast.And) else "or", out, self.cond(v, env))
            return out
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
            return ("not", self.cond(e.operand, env))
        if isinstance(e, ast.Constant) and isinstance(e.value, bool):
            return ("true",) if e.value else ("false",)
        if isinstance(e, ast.Compare):
            out, left = None, self.expr(e.left, env)
            for op, rn in zip(e.ops, e.comparators):
                right = self.expr(rn, env)
                if isinstance(op, (ast.In, ast.NotIn)):
                    if left[0] != "str" or right[0] != "str":
                        raise _Refuse(f"'in' needs strings (line {line})")
                    c = ("in", left[1], right[1])
                    c = ("not", c) if isinstance(op, ast.NotIn) else c
                else:
                    names = {ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge"}
                    if type(op) not in names or left[0] != right[0] or left[0] == "bool":
                        raise _Refuse(f"comparison {type(op).__name__} of {left[0]} and {right[0]} at line {line}")
                    c = ("cmp", names[type(op)], left[1], right[1])
                out = c if out is None else ("and", out, c)
                left = right
            return out
        t, n = self.expr(e, env)
        if t != "bool":
            raise _Refuse(f"a condition must be a comparison or a predicate (line {line})")
        return n


def _size(n: tuple) -> int:
    out, stack = 0, [n]
    while stack:
        t = stack.pop()
        out += 1
        stack.extend(c for c in t[1:] if isinstance(c, tuple) and c and isinstance(c[0], str))
    return out


def parse_string_function(source: object) -> tuple[str, str, tuple]:
    """(name, result type, IR) of a string function; InputError (one line) if outside the language."""
    d = one_def(source, "s", imports_ok=False)
    a = d.args
    try:
        ty, ir = _T(a.args[0].arg).block(list(d.body), {a.args[0].arg: ("str", ("s",))})
    except _Refuse as e:
        raise InputError(f"refused: {e}") from None
    except RecursionError:
        raise InputError("refused: expression nested too deeply") from None
    if ty == "bool":
        ty, ir = "int", ("if", ir, ("int", 1), ("int", 0))
    return d.name, ty, ir


def length_bound(n: tuple, L: int) -> int:
    """An upper bound on the length of the string n (or the digits of an int) for inputs of length <= L."""
    k = n[0]
    if k == "s":
        return L
    if k == "lit":
        return len(n[1])
    if k in ("int", "len", "iadd", "isub", "imul", "idiv", "imod", "str", "m1", "pred", "cmp", "in"):
        return 24
    if k == "concat":
        return length_bound(n[1], L) + length_bound(n[2], L)
    if k == "repeat":
        return length_bound(n[1], L) * n[2]
    if k in ("slice", "m0"):
        return length_bound(n[2] if k == "m0" else n[1], L)
    if k == "index":
        return 1
    if k == "replace":
        b = length_bound(n[1], L)
        return b * max(1, length_bound(n[3], L)) + length_bound(n[3], L)
    if k == "translate":
        return length_bound(n[1], L) * max([1] + [len(v) for _, v in n[2] if v])
    if k == "if":
        return max(length_bound(n[2], L), length_bound(n[3], L))
    raise InputError(f"unknown string IR node {k!r}")


class _Err(Exception):
    pass


def evaluate(ir: tuple, s: str):
    """The value of the IR at the string s (a str or an int), or ERROR."""
    try:
        return _ev(ir, s)
    except _Err:
        return ERROR


def _ev(n: tuple, s: str):
    k = n[0]
    if k == "s":
        return s
    if k in ("lit", "int"):
        return n[1]
    if k == "concat":
        return _ev(n[1], s) + _ev(n[2], s)
    if k == "repeat":
        return _ev(n[1], s) * n[2]
    if k == "slice":
        b = _ev(n[1], s)
        a, c, d = (None if p is None else _ev(p, s) for p in n[2:5])
        if d == 0:
            raise _Err()
        return b[a:c:d]
    if k == "index":
        b, i = _ev(n[1], s), _ev(n[2], s)
        if not -len(b) <= i < len(b):
            raise _Err()
        return b[i]
    if k == "len":
        return len(_ev(n[1], s))
    if k == "str":
        return str(_ev(n[1], s))
    if k in ("iadd", "isub", "imul", "idiv", "imod"):
        a, b = _ev(n[1], s), _ev(n[2], s)
        if k in ("idiv", "imod") and b == 0:
            raise _Err()
        v = {"iadd": lambda: a + b, "isub": lambda: a - b, "imul": lambda: a * b, "idiv": lambda: a // b,
             "imod": lambda: a % b}[k]()
        if abs(v) > 1 << 64:
            raise _Err()
        return v
    if k == "m0":
        return getattr(_ev(n[2], s), n[1])()  # n[1] is one of METHODS0 (checked by the parser), a str method
    if k == "pred":
        return int(getattr(_ev(n[2], s), n[1])())  # PRED0
    if k == "m1":
        b, a = _ev(n[2], s), _ev(n[3], s)
        return {"count": b.count, "find": b.find, "startswith": b.startswith, "endswith": b.endswith}[n[1]](a)
    if k == "replace":
        return _ev(n[1], s).replace(_ev(n[2], s), _ev(n[3], s))
    if k == "translate":
        return _ev(n[1], s).translate({ord(c): v for c, v in n[2]})
    if k == "if":
        return _ev(n[2], s) if _cond(n[1], s) else _ev(n[3], s)
    return int(_cond(n, s))  # a condition used as a value


def _cond(c: tuple, s: str) -> bool:
    k = c[0]
    if k in ("true", "false"):
        return k == "true"
    if k == "not":
        return not _cond(c[1], s)
    if k == "and":
        return _cond(c[1], s) and _cond(c[2], s)
    if k == "or":
        return _cond(c[1], s) or _cond(c[2], s)
    if k == "in":
        return _ev(c[1], s) in _ev(c[2], s)
    if k == "cmp":
        a, b = _ev(c[2], s), _ev(c[3], s)
        return {"eq": a == b, "ne": a != b, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[c[1]]
    if k == "pred":
        return bool(_ev(c, s))
    if k == "m1":
        return bool(_ev(c, s))
    raise _Err()


def all_strings(alphabet: str, max_len: int):
    """Every string over the alphabet of length 0..max_len, shortest first, then in alphabet order."""
    for n in range(max_len + 1):
        for t in itertools.product(alphabet, repeat=n):
            yield "".join(t)


def space_size(alphabet: str, max_len: int) -> int:
    return sum(len(alphabet) ** k for k in range(max_len + 1))
