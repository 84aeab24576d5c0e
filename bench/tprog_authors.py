"""Certified exact accuracy of the authors' shipped Transformer Programs, and what explains the gap to the paper
(issue 12).

Reads `programs/{rasp,rasp_categorical_only}/<task>/<task>.py` + `<task>_weights.csv` from a checkout of
princeton-nlp/TransformerPrograms (not committed here) with `pybridge import-tprog` (ast only, never executed;
numerical heads and MLPs included), certifies task-accuracy over the whole input space and re-checks it with the
trusted checker. Then, as counts (not certificates), the quantities that separate the certificate from the paper's
number:
- per-token accuracy over the whole space (the paper's metric counts tokens, not sequences);
- the same program on an emulation of the authors' own test set: their generators' sequence of numpy draws
  (np.random.seed(0), uniform length, uniform tokens; Dyck: half balanced-then-truncated, half uniform), their
  deduplication (2x..5x oversampling, first 20,000 unique) and their 10% test split (a seeded permutation, as
  sklearn's train_test_split does) -- written here from reading their code, not copied, not checked against their
  files (their data is not published); per-token and per-sequence accuracy on that test set;
- what-if counts under other attention rules (the model's `nearest`; for Dyck the non-causal printer rule that an
  earlier importer wrongly applied).
Usage: python bench/tprog_authors.py AUTHORS_REPO_DIR   (results: bench/results/tprog_authors.{json,md})
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from pybridge import families
from pybridge.certio import write_json_atomic
from pybridge.check import verify
from pybridge.check.errors import InputError
from pybridge.check.tprog.program import parse_program, run
from pybridge.check.tprog.tasks import Task, enumerate_inputs, targets
from pybridge.families.tprog.importer import ImportError_, import_program

PAPER = {"reverse": (99.79, 99.75), "sort": (99.83, 99.99), "hist": (100.0, 83.20), "double-hist": (98.40, 55.89),
         "most-freq": (75.69, 64.13), "dyck1": (99.30, 99.43), "dyck2": (99.09, 99.17)}
TASKS = {"hist": "hist", "double_hist": "double-hist", "sort": "sort", "reverse": "reverse", "dyck1": "dyck1",
         "most_freq": "most-freq", "dyck2": "dyck2"}
RESULTS = Path(__file__).resolve().parent / "results"
CHUNK = 1 << 15


# ---------------------------------------------------------------- the authors' sampled data, emulated
def _gen(task: str, size: int, rs: np.random.RandomState) -> list[list[int]]:
    """`size` sequences (content indices) drawn as the authors' generator for `task` draws them (vocab 8,
    min length 1, max length 8 for the RASP tasks; length 16 incl. <s> for Dyck)."""
    out = []
    if task in ("reverse", "sort"):
        for _ in range(size):
            n = rs.randint(1, 8 - 1)
            out.append([int(x) for x in rs.choice(np.array([str(i) for i in range(5)]), size=n, replace=True)])
        return out
    if task in ("hist", "double-hist", "most-freq"):
        for _ in range(size):
            n = rs.randint(1, 8)
            out.append([int(x) for x in rs.choice(np.array([str(i) for i in range(6)]), size=n, replace=True)])
        return out
    pairs = 1 if task == "dyck1" else 2
    flat = ["(", ")", "{", "}"][: 2 * pairs]
    for _ in range(size):
        if rs.randint(2):
            s: list[str] = []
            for _ in range(rs.randint(8, 9)):  # depth 8: a balanced string of 8 pairs
                o = rs.randint(0, pairs)
                if rs.randint(0, 2) == 0:
                    s = s + [flat[2 * o], flat[2 * o + 1]]
                else:
                    s = [flat[2 * o]] + s + [flat[2 * o + 1]]
            if len(s) < 15:
                s = s + rs.choice(flat, size=15 - len(s)).tolist()
            s = s[:15]
        else:
            s = rs.choice(flat, size=15).tolist()
        out.append([flat.index(c) for c in s])
    return out


def authors_test_set(task: str, seed: int = 0, dataset_size: int = 20000) -> list[list[int]]:
    for mult in (2, 3, 4, 5):
        rs = np.random.RandomState(seed)
        seen, df = set(), []
        for s in _gen(task, mult * dataset_size, rs):
            if tuple(s) not in seen:
                seen.add(tuple(s))
                df.append(s)
        if len(df) >= dataset_size:
            df = df[:dataset_size]
            break
    n_test = math.ceil(0.1 * len(df))
    perm = np.random.RandomState(seed).permutation(len(df))
    return [df[i] for i in perm[:n_test]]


def evaluate(p, seqs: list[list[int]]) -> dict:
    t = p.task
    tok = tot_tok = seq = 0
    by_len: dict[int, list] = {}
    for s in seqs:
        by_len.setdefault(len(s), []).append(s)
    for n, rows in by_len.items():
        X = np.array(rows, np.int64)
        ok = run(p, X) == targets(t, X)
        tok += int(ok.sum())
        tot_tok += ok.size
        seq += int(ok.all(axis=1).sum())
    return {"n": len(seqs), "token_acc": round(100 * tok / tot_tok, 2), "seq_acc": round(100 * seq / len(seqs), 2),
            "lengths": {str(n): len(r) for n, r in sorted(by_len.items())}}


def whole_space(p) -> dict:
    """Exact per-length counts over the whole space: sequences correct, tokens correct (a count, not a certificate)."""
    t: Task = p.task
    per = {}
    for n in t.lengths:
        seq = tok = 0
        for s in range(0, t.size(n), CHUNK):
            X = enumerate_inputs(t, n, s, min(t.size(n), s + CHUNK))
            ok = run(p, X) == targets(t, X)
            seq += int(ok.all(axis=1).sum())
            tok += int(ok.sum())
        per[n] = (seq, tok, t.size(n))
    seq = sum(v[0] for v in per.values())
    tok = sum(v[1] for v in per.values())
    ntok = sum(n * v[2] for n, v in per.items())
    L = len(t.lengths)
    # the expected per-token accuracy when the length is uniform (before deduplication)
    lw_tok = sum(v[1] / v[2] for v in per.values()) / sum(n for n in t.lengths)
    return {"seq": seq, "token_acc": round(100 * tok / ntok, 3), "length_uniform_seq_acc":
            round(100 * sum(v[0] / v[2] for v in per.values()) / L, 2), "length_uniform_token_acc": round(100 * lw_tok, 2)}


def main() -> None:
    repo = Path(sys.argv[1])
    work = Path("/tmp/tprog-authors")
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for suite in ("rasp", "rasp_categorical_only"):
        for d, task in TASKS.items():
            py = repo / "programs" / suite / d / f"{d}.py"
            row = {"suite": suite, "task": task, "paper_num": PAPER[task][0], "paper_cat_only": PAPER[task][1]}
            try:
                ir = import_program(py, task)
                p = parse_program(ir)
            except (ImportError_, InputError) as e:
                row["refused"] = f"import: {e}"
                rows.append(row)
                print(json.dumps(row), flush=True)
                continue
            row.update(tie_rule=ir["tie_rule"], ir_version=ir["version"],
                       modules=p.modules(), numerical_mlps=sum(len(L.num_mlps) for L in p.layers))
            t0 = time.perf_counter()
            ts = authors_test_set(task)
            row["authors_test_set"] = evaluate(p, ts)
            # the same tables under the attention of the authors' model (nearest, <s> a key) and of ours (nearest)
            for rule in ("nearest-bos", "nearest"):
                row[f"authors_test_set_{rule}"] = evaluate(parse_program(dict(ir, tie_rule=rule)), ts)
            row["test_eval_seconds"] = round(time.perf_counter() - t0, 1)
            irp = work / f"{suite}-{d}.json"
            write_json_atomic(ir, irp)
            try:
                t0 = time.perf_counter()
                res = families.get("tprog").strategy("task-accuracy").prove(irp, families.ProveRequest())
                res.certificate["model"]["file"] = irp.name
                cert = work / f"{suite}-{d}.acc.json"
                write_json_atomic(res.certificate, cert)
                row["prove_seconds"] = round(time.perf_counter() - t0, 1)
                t0 = time.perf_counter()
                r = verify(cert)
                row["check_seconds"] = round(time.perf_counter() - t0, 1)
            except Exception as e:  # dyck2: over the work bound
                row["refused"] = f"certificate: {str(e).splitlines()[0]}"
                rows.append(row)
                print(json.dumps(row), flush=True)
                continue
            t = p.task
            row.update(certified_correct=r.verified_correct, total=r.total,
                       certified_accuracy=round(100 * r.verified_correct / r.total, 3),
                       per_length={str(n): [c, t.size(int(n))] for n, (c, _) in r.details["per_length"].items()},
                       smallest_failing=r.details["smallest_failing"][:3])
            ws = whole_space(p)
            assert ws["seq"] == r.verified_correct
            row["whole_space"] = ws
            if ir["tie_rule"] == "printer-causal":  # what an importer without the causal mask certified before
                row["what_if_printer_accuracy"] = round(100 * whole_space(parse_program(dict(ir, tie_rule="printer")))["seq"]
                                                        / r.total, 3)
            rows.append(row)
            print(json.dumps(row), flush=True)
    (RESULTS / "tprog_authors.json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = ["# The authors' shipped Transformer Programs, certified (issue 12)", "",
             "Command: `python bench/tprog_authors.py <checkout of princeton-nlp/TransformerPrograms @59970de>`.",
             "Programs read with `pybridge import-tprog` (ast only, never executed; numerical heads/MLPs included), with",
             "the printer's own `select_closest` (tie rule `printer`, or `printer-causal` where the printed helpers use",
             "`keys[:i + 1]`: the Dyck programs). 'certified' = task-accuracy certificate over the whole input space,",
             "re-checked by the trusted checker (sequence-level: every position right). The other columns are counts,",
             "not certificates: 'tokens, space' = per-token accuracy over the whole space; 'their test set' = per-token",
             "(the paper's metric) and per-sequence accuracy of the same program on an emulation of the authors' own",
             "test set (2,000 sequences; 1,413 for reverse/sort, whose space is smaller than 20,000; see the script's",
             "docstring); 'their model's attention' = the same tables on that test set under `nearest-bos`, the",
             "attention rule of the authors' model (not their printer's).",
             "",
             "| suite | task | rule | certified (sequences, whole space) | tokens, whole space | their test set, "
             "program: tokens / seqs | their test set, their model's attention: tokens | paper | check s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        paper = r["paper_num"] if r["suite"] == "rasp" else r["paper_cat_only"]
        ts = r.get("authors_test_set")
        tcol = f"{ts['token_acc']}% / {ts['seq_acc']}%" if ts else ""
        mcol = f"{r['authors_test_set_nearest-bos']['token_acc']}%" if ts else ""
        if "refused" in r:
            lines.append(f"| {r['suite']} | {r['task']} | {r.get('tie_rule', '')} | refused: {r['refused'][:80]} | | "
                         f"{tcol} | {mcol} | {paper} | |")
        else:
            lines.append(f"| {r['suite']} | {r['task']} | {r['tie_rule']} | {r['certified_accuracy']}% "
                         f"({r['certified_correct']}/{r['total']}) | {r['whole_space']['token_acc']}% | {tcol} "
                         f"| {mcol} | {paper} | {r['check_seconds']} |")
    (RESULTS / "tprog_authors.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
