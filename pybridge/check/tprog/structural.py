"""Trusted: program-equivalence without evaluating any input, when two programs are the same program (issue 12).

`program.run(p, X)` reads a Program only through: its task, its tie rule, its layers (every head's q, k, v and
predicate table; every MLP's a, b and table; every numerical MLP's a, b, default and its table as a map from keys to
outputs: `NumMlp.lookup` builds a dict, so the order of the entries does not matter) and the classifier's integers
(bias, w_cat, w_num), of which it takes the first largest logit. It never divides by `den`. Multiplying every
classifier integer by the same positive number multiplies every logit by it and keeps the first largest one. So two
programs whose canonical forms below are equal give the same labels at every position of every input:
- the classifier integers divided by their positive gcd (`den` dropped);
- every numerical MLP's entries sorted by key.
Anything else must be equal as it is (same layer structure, same indices, same tables, same tie rule).
"""

from __future__ import annotations

from math import gcd

from pybridge.check.tprog.program import Program


def canonical(p: Program) -> tuple:
    ints = [x for w in p.w_cat for r in w for x in r] + [x for w in p.w_num for x in w] + list(p.bias)
    g = 0
    for x in ints:
        g = gcd(g, x)
    g = g or 1

    def red(x: int) -> int:
        return x // g  # exact: g divides every classifier integer

    layers = []
    for L in p.layers:
        layers.append((
            tuple((h.q, h.k, h.v, h.pred.astype(bool).tolist()) for h in L.cat_heads),
            tuple((h.q, h.k, h.v, h.pred.astype(bool).tolist()) for h in L.num_heads),
            tuple((m.a, m.b, m.table.tolist()) for m in L.mlps),
            tuple((m.a, m.b, int(m.default), tuple(sorted(zip(map(tuple, m.keys.tolist()), m.outs.tolist()))))
                  for m in L.num_mlps),
        ))
    return (p.task.name, p.task.lengths, p.k, p.tie_rule, tuple(layers),
            tuple(tuple(tuple(red(x) for x in r) for r in w) for w in p.w_cat),
            tuple(tuple(red(x) for x in w) for w in p.w_num), tuple(red(x) for x in p.bias))


def first_difference(a: Program, b: Program) -> str | None:
    """None when the canonical forms are equal, else which part differs first (one line)."""
    ca, cb = canonical(a), canonical(b)
    names = ("task", "lengths", "k", "tie rule", "layers", "classifier cat weights", "classifier num weights",
             "classifier bias")
    for name, x, y in zip(names, ca, cb):
        if x != y:
            if name == "layers":
                for li, (la, lb) in enumerate(zip(x, y)):
                    for kind, u, v in zip(("categorical heads", "numerical heads", "MLPs", "numerical MLPs"), la, lb):
                        if u != v:
                            return f"layer {li} {kind}"
                return "the number of layers"
            return name
    return None
