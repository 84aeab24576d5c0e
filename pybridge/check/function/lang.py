"""Trusted: the description language of the function family (issue 14), parsed, never executed.

A function is Python source `def NAME(x): ...` (the form FIND's interpreters write). It is read with
`ast.parse` (which only builds a syntax tree; nothing is compiled or run) and translated into a small
expression tree (the IR below). Any construct outside the language is refused with one line naming it.

IR nodes are tuples: ("c", Fraction) constant, ("x",) the argument, ("pi",), and
("add"|"sub"|"mul"|"div"|"min"|"max", a, b), ("neg"|"abs"|"sin"|"cos"|"tan"|"tanh"|"exp"|"log"|"sqrt"
|"floor"|"ceil"|"sign", a), ("pow", a, n) with an integer n, ("if", cond, a, b). Conditions:
("lt"|"le"|"eq"|"ne", a, b), ("and"|"or", c, d), ("not", c), ("true",), ("false",).

Semantics (docs/FUNCTIONS.md): the real-valued function; a float literal means the exact rational of its
shortest round-trip decimal (`26.8` is 268/10); `/`, `log`, `sqrt`, `tan` are partial (a point where an
argument leaves their domain is not in the function's domain); `x ** n` needs an integer literal n.
"""

from __future__ import annotations

import ast
from fractions import Fraction

from pybridge.check.errors import InputError

MAX_SOURCE = 64 << 10
MAX_NODES = 4000
MAX_POW = 64

UNARY = {"sin", "cos", "tan", "tanh", "exp", "log", "sqrt", "floor", "ceil", "sign", "abs"}
MODULES = {"math", "np", "numpy"}
# module function -> IR builder
_FUNCS = {"sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh", "exp": "exp", "log": "log", "sqrt": "sqrt",
          "floor": "floor", "ceil": "ceil", "sign": "sign", "fabs": "abs", "abs": "abs", "absolute": "abs"}


class _Refuse(Exception):
    pass


def _what(node: ast.AST) -> str:
    return f"{type(node).__name__} at line {getattr(node, 'lineno', '?')}"


def _const(v: object) -> tuple:
    if isinstance(v, bool):
        return ("c", Fraction(int(v)))
    if isinstance(v, int):
        if abs(v).bit_length() > 256:
            raise _Refuse("integer literal larger than 2^256")
        return ("c", Fraction(v))
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise _Refuse("non-finite float literal")
        return ("c", Fraction(repr(v)))
    raise _Refuse(f"literal of type {type(v).__name__}")


def _log_of(a: tuple, base: tuple) -> tuple:
    return ("div", ("log", a), ("log", base))


class _Translator:
    def __init__(self, param: str) -> None:
        self.param = param
        self.nodes = 0

    def count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refuse(f"the function has more than {MAX_NODES} expression nodes")

    # ---------------------------------------------------------------- statements
    def block(self, stmts: list[ast.stmt], env: dict[str, tuple]) -> tuple:
        env = dict(env)
        for i, s in enumerate(stmts):
            if isinstance(s, ast.Return):
                if s.value is None:
                    raise _Refuse(f"bare return at line {s.lineno}")
                return self.expr(s.value, env)
            if isinstance(s, ast.Assign):
                if len(s.targets) != 1 or not isinstance(s.targets[0], ast.Name):
                    raise _Refuse(f"assignment to something other than one local name at line {s.lineno}")
                name = s.targets[0].id
                if name == self.param or name in MODULES:
                    raise _Refuse(f"assignment to {name!r} at line {s.lineno}")
                env[name] = self.expr(s.value, env)
                continue
            if isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name) and s.target.id in env:
                env[s.target.id] = self.binop(s.op, env[s.target.id], self.expr(s.value, env), s)
                continue
            if isinstance(s, ast.If):
                cond = self.cond(s.test, env)
                rest = list(stmts[i + 1:])
                return ("if", cond, self.block(list(s.body) + rest, env), self.block(list(s.orelse) + rest, env))
            if isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                           and isinstance(s.value.value, str)):
                continue  # pass / docstring
            raise _Refuse(f"statement {_what(s)} is not in the description language")
        raise _Refuse("a path through the function ends without return")

    # ---------------------------------------------------------------- expressions
    def binop(self, op: ast.operator, a: tuple, b: tuple, node: ast.AST) -> tuple:
        if isinstance(op, ast.Add):
            return ("add", a, b)
        if isinstance(op, ast.Sub):
            return ("sub", a, b)
        if isinstance(op, ast.Mult):
            return ("mul", a, b)
        if isinstance(op, ast.Div):
            return ("div", a, b)
        if isinstance(op, ast.Pow):
            n = _int_of(b)
            if n is None or abs(n) > MAX_POW:
                raise _Refuse(f"'**' needs an integer exponent of size at most {MAX_POW} (line {node.lineno})")
            return ("pow", a, n)
        raise _Refuse(f"operator {type(op).__name__} at line {node.lineno}")

    def expr(self, e: ast.expr, env: dict[str, tuple]) -> tuple:
        self.count()
        if isinstance(e, ast.Constant):
            return _const(e.value)
        if isinstance(e, ast.Name):
            if e.id == self.param:
                return ("x",)
            if e.id in env:
                self.nodes += size(env[e.id], MAX_NODES + 1)  # a local counts once per use
                if self.nodes > MAX_NODES:
                    raise _Refuse(f"the function has more than {MAX_NODES} expression nodes")
                return env[e.id]
            if e.id == "pi":
                return ("pi",)
            raise _Refuse(f"unknown name {e.id!r} at line {e.lineno}")
        if isinstance(e, ast.BinOp):
            return self.binop(e.op, self.expr(e.left, env), self.expr(e.right, env), e)
        if isinstance(e, ast.UnaryOp):
            if isinstance(e.op, ast.USub):
                return ("neg", self.expr(e.operand, env))
            if isinstance(e.op, ast.UAdd):
                return self.expr(e.operand, env)
            if isinstance(e.op, ast.Not):
                return ("if", ("not", self.cond(e.operand, env)), ("c", Fraction(1)), ("c", Fraction(0)))
            raise _Refuse(f"unary operator {type(e.op).__name__} at line {e.lineno}")
        if isinstance(e, ast.IfExp):
            return ("if", self.cond(e.test, env), self.expr(e.body, env), self.expr(e.orelse, env))
        if isinstance(e, (ast.Compare, ast.BoolOp)):
            return ("if", self.cond(e, env), ("c", Fraction(1)), ("c", Fraction(0)))
        if isinstance(e, ast.Attribute):
            if isinstance(e.value, ast.Name) and e.value.id in MODULES and e.attr in ("pi", "e"):
                return ("pi",) if e.attr == "pi" else ("exp", ("c", Fraction(1)))
            raise _Refuse(f"attribute access {_attr_name(e)!r} at line {e.lineno}")
        if isinstance(e, ast.Call):
            return self.call(e, env)
        raise _Refuse(f"expression {_what(e)} is not in the description language")

    def call(self, e: ast.Call, env: dict[str, tuple]) -> tuple:
        if e.keywords:
            raise _Refuse(f"keyword arguments at line {e.lineno}")
        f = e.func
        if isinstance(f, ast.Name) and f.id in ("abs", "min", "max"):
            name = f.id
        elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in MODULES:
            name = f.attr
        else:
            raise _Refuse(f"call of {_attr_name(f) if isinstance(f, ast.Attribute) else type(f).__name__ if not isinstance(f, ast.Name) else f.id!r} at line {e.lineno}")
        args = e.args
        if any(isinstance(a, ast.Starred) for a in args):
            raise _Refuse(f"starred arguments at line {e.lineno}")
        if name in _FUNCS and len(args) == 1:
            return (_FUNCS[name], self.expr(args[0], env))
        if name == "log" and len(args) == 2:
            return _log_of(self.expr(args[0], env), self.expr(args[1], env))
        if name in ("log10", "log2") and len(args) == 1:
            return _log_of(self.expr(args[0], env), ("c", Fraction(10 if name == "log10" else 2)))
        if name in ("min", "max", "minimum", "maximum", "fmin", "fmax") and len(args) >= 2:
            op = "min" if name in ("min", "minimum", "fmin") else "max"
            out = self.expr(args[0], env)
            for a in args[1:]:
                out = (op, out, self.expr(a, env))
            return out
        if name == "where" and len(args) == 3:
            return ("if", self.cond(args[0], env), self.expr(args[1], env), self.expr(args[2], env))
        if name == "heaviside" and len(args) == 2:
            a, h0 = self.expr(args[0], env), self.expr(args[1], env)
            zero = ("c", Fraction(0))
            return ("if", ("lt", zero, a), ("c", Fraction(1)), ("if", ("eq", a, zero), h0, zero))
        if name in ("power", "pow") and len(args) == 2:
            n = _int_of(self.expr(args[1], env))
            if n is None or abs(n) > MAX_POW:
                raise _Refuse(f"{name} needs an integer exponent of size at most {MAX_POW} (line {e.lineno})")
            return ("pow", self.expr(args[0], env), n)
        raise _Refuse(f"function {name!r} with {len(args)} argument(s) at line {e.lineno} is not in the description language")

    def cond(self, e: ast.expr, env: dict[str, tuple]) -> tuple:
        self.count()
        if isinstance(e, ast.Compare):
            out = None
            left = self.expr(e.left, env)
            for op, rnode in zip(e.ops, e.comparators):
                right = self.expr(rnode, env)
                if isinstance(op, ast.Lt):
                    c = ("lt", left, right)
                elif isinstance(op, ast.LtE):
                    c = ("le", left, right)
                elif isinstance(op, ast.Gt):
                    c = ("lt", right, left)
                elif isinstance(op, ast.GtE):
                    c = ("le", right, left)
                elif isinstance(op, ast.Eq):
                    c = ("eq", left, right)
                elif isinstance(op, ast.NotEq):
                    c = ("ne", left, right)
                else:
                    raise _Refuse(f"comparison {type(op).__name__} at line {e.lineno}")
                out = c if out is None else ("and", out, c)
                left = right
            return out
        if isinstance(e, ast.BoolOp):
            op = "and" if isinstance(e.op, ast.And) else "or"
            out = self.cond(e.values[0], env)
            for v in e.values[1:]:
                out = (op, out, self.cond(v, env))
            return out
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
            return ("not", self.cond(e.operand, env))
        if isinstance(e, ast.Constant) and isinstance(e.value, bool):
            return ("true",) if e.value else ("false",)
        # a number used as a condition: true iff nonzero
        return ("ne", self.expr(e, env), ("c", Fraction(0)))


def _attr_name(e: ast.AST) -> str:
    parts = []
    while isinstance(e, ast.Attribute):
        parts.append(e.attr)
        e = e.value
    parts.append(e.id if isinstance(e, ast.Name) else type(e).__name__)
    return ".".join(reversed(parts))[:60]


def _int_of(t: tuple) -> int | None:
    if t[0] == "c" and t[1].denominator == 1:
        return int(t[1])
    if t[0] == "neg" and t[1][0] == "c" and t[1][1].denominator == 1:
        return -int(t[1][1])
    return None


def one_def(source: object, arg: str, imports_ok: bool) -> ast.FunctionDef:
    """The single `def NAME(arg):` of `source` (docstrings allowed; imports of math/numpy only when
    `imports_ok`), checked for size, syntax, signature and name; InputError (one line) otherwise.
    Shared by the numeric and the string language; nothing is executed."""
    if not isinstance(source, str):
        raise InputError("function source must be a string")
    if len(source.encode("utf-8", "surrogatepass")) > MAX_SOURCE:
        raise InputError(f"function source is larger than {MAX_SOURCE} bytes")
    try:
        tree = ast.parse(source, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        raise InputError(f"function source is not valid Python ({type(e).__name__})") from None
    defs = []
    for s in tree.body:
        if isinstance(s, ast.FunctionDef):
            defs.append(s)
        elif imports_ok and isinstance(s, ast.Import) and all(a.name in ("math", "numpy") and a.asname in (None, "np") for a in s.names):
            continue
        elif isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str):
            continue
        else:
            allowed = "only imports of math/numpy and one def are allowed" if imports_ok else "only one def is allowed"
            raise InputError(f"refused: top-level {_what(s)} ({allowed})")
    if len(defs) != 1:
        raise InputError(f"refused: the source must define exactly one function (found {len(defs)})")
    d = defs[0]
    a = d.args
    if (d.decorator_list or a.posonlyargs or a.kwonlyargs or a.vararg or a.kwarg or a.defaults
            or len(a.args) != 1 or d.returns is not None or a.args[0].annotation is not None):
        raise InputError(f"refused: the function must be `def NAME({arg}):` with one plain argument, no decorators or annotations")
    if not d.name.isidentifier() or not d.name.isascii() or len(d.name) > 64:
        raise InputError("refused: function name must be an ASCII identifier of at most 64 characters")
    return d


def parse_function(source: object) -> tuple[str, tuple]:
    """(function name, IR) of `source`; InputError (one line naming the construct) if it is not in the language."""
    d = one_def(source, "x", imports_ok=True)
    try:
        ir = _Translator(d.args.args[0].arg).block(list(d.body), {})
    except _Refuse as e:
        raise InputError(f"refused: {e}") from None
    except RecursionError:
        raise InputError("refused: expression nested too deeply") from None
    return d.name, fold(ir)


MAX_FOLD_BITS = 4096


def fold(ir: tuple, memo: dict | None = None) -> tuple:
    """ir with every constant subtree of + - * / neg and integer powers replaced by its exact rational value
    (exact arithmetic, so the function is unchanged); a division by 0 or a result above MAX_FOLD_BITS is
    left as written. Written weights such as `(p/q)` then cost one constant each (an MLP file has 192)."""
    memo = {} if memo is None else memo
    hit = memo.get(id(ir))
    if hit is not None and hit[0] is ir:
        return hit[1]
    k = ir[0]
    if k in ("c", "x", "pi", "true", "false"):
        out = ir
    else:
        kids = tuple(fold(c, memo) if isinstance(c, tuple) else c for c in ir[1:])
        out = (k, *kids)
        if k in ("add", "sub", "mul", "div", "neg", "pow") and all(
                c[0] == "c" for c in kids if isinstance(c, tuple)):
            consts = [c[1] for c in kids if isinstance(c, tuple)]
            v = None
            if k == "add":
                v = consts[0] + consts[1]
            elif k == "sub":
                v = consts[0] - consts[1]
            elif k == "mul":
                v = consts[0] * consts[1]
            elif k == "div" and consts[1] != 0:
                v = consts[0] / consts[1]
            elif k == "neg":
                v = -consts[0]
            elif k == "pow" and (consts[0] != 0 or kids[1] >= 0):
                b = consts[0]
                if max(b.numerator.bit_length(), b.denominator.bit_length()) * abs(kids[1]) <= MAX_FOLD_BITS:
                    v = b ** kids[1]
            if v is not None and max(v.numerator.bit_length(), v.denominator.bit_length()) <= MAX_FOLD_BITS:
                out = ("c", v)
    memo[id(ir)] = (ir, out)
    return out


def size(ir: tuple, cap: int = 1 << 62) -> int:
    """Number of nodes of an IR tree (shared subtrees counted each time they occur), stopping above `cap`."""
    n, stack = 0, [ir]
    while stack and n <= cap:
        t = stack.pop()
        n += 1
        stack.extend(c for c in t[1:] if isinstance(c, tuple))
    return n


def kinds(ir: tuple, out: set | None = None) -> set:
    out = set() if out is None else out
    out.add(ir[0])
    for c in ir[1:]:
        if isinstance(c, tuple):
            kinds(c, out)
    return out
