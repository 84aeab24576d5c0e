"""Fuzz the trusted checker through the CLI, as an attacker would (issue 10).

Seeds: every certificate of certificates/index.json (so every family and strategy shipped there, including
families added later), a synthetic C5 rho-set certificate (none is shipped), plus tiny generated Max-of-k models (V <= 3, n <= 3) with brute-force, cubic,
cubic-count and subcubic certificates, whose exact count tests/reference.py knows.

Each case mutates the certificate (JSON values, keys, claims, hints, model.file, raw bytes) and/or the
model file (metadata, tensor values, raw bytes; optionally re-binding the certificate's hash to the
mutated weights), runs `pybridge check CERT [--model M] --json` in a subprocess with RLIMIT_AS and a
timeout, and asserts: exit code in {0, 1, 2}; no traceback; at most one line on stderr; the time and
memory bounds; and, for the tiny Max-of-k models, that an accepted claim never exceeds the exact count
(correct + ambiguous) of tests/reference.py for the weights the certificate binds.

    python bench/fuzz_checker.py --cases 600 --seed 0       # writes bench/results/fuzz_checker.{json,md}
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CERTS = ROOT / "certificates"
sys.path.insert(0, str(ROOT / "tests"))

MEM_LIMIT = 2 << 30  # RLIMIT_AS of the checker process
TIMEOUT = 60.0

HOSTILE_STRINGS = ["", "²", "٣", "1e9", "-1", "0x10", "../x", "/dev/zero", "a*) Notation x := 1. (*", "\x00", "𝟘",
                   "9" * 400, " 3", "3 ", "NaN", "null", "{}", "[]"]
HOSTILE_NUMBERS = [0, 1, -1, 2, 2**31, -2**31, 2**63, -2**63 - 1, 2**64 + 1, 10**12, -10**12, 2**400, -2**400,
                   2**1000, 10**30, 0.5, 1e308, -1e308, True, False]
HOSTILE_FILES = ["../x.safetensors", "/dev/zero", "/dev/stdin", "/etc/passwd", "sub/m.safetensors", ".", "..",
                 "fifo.safetensors", "", "m\x00.safetensors"]


# ---------------------------------------------------------------- seeds
def shipped_seeds() -> list[dict]:
    """One seed per entry of certificates/index.json (any family)."""
    out = []
    for e in json.loads((CERTS / "index.json").read_text()):
        out.append({"family": e.get("family", "maxofk"), "strategy": e["strategy"], "cert": CERTS / e["certificate"],
                    "model": CERTS / e["model"], "truth": None, "name": e["certificate"]})
    return out


def tiny_seeds(work: Path, count: int, rng: random.Random) -> list[dict]:
    """Tiny random Max-of-k models with certificates of every strategy the prover finds, and their exact counts."""
    from reference import reference_counts, write_model

    from pybridge.families.maxofk.common import load_model, write_json_atomic

    out = []
    for i in range(count):
        V, n = rng.choice([(2, 2), (3, 2), (2, 3), (3, 3)])
        d, h = rng.choice([2, 3, 4]), rng.choice([1, 2, 3])
        scale = rng.choice([0.5, 1.0, 3.0])
        d_ = work / f"tiny{i}"
        d_.mkdir(parents=True, exist_ok=True)
        path = write_model(d_ / "m.safetensors", V, n, d, h, seed=1000 + i, scale=scale)
        good, _, amb = reference_counts(path)
        m = load_model(path)
        for strategy in ("brute-force", "cubic", "cubic-count", "subcubic"):
            try:
                res = _prove(m, strategy)
            except Exception:  # noqa: BLE001 - a strategy that does not fit this model: no seed
                continue
            cert = dict(res.certificate)
            cert["model"] = dict(cert["model"], file="m.safetensors")
            p = write_json_atomic(cert, d_ / f"{strategy}.json")
            out.append({"family": "maxofk", "strategy": strategy, "cert": p, "model": path, "truth": good + amb,
                        "name": f"tiny{i}.{strategy}"})
    return out


def rho_seeds(work: Path) -> list[dict]:
    """A synthetic C5 group model with a rho-set certificate (no rho-set certificate is shipped)."""
    from test_groupop_rho import write_rho_cert, write_synth

    work.mkdir(parents=True, exist_ok=True)
    try:
        model = write_synth(work / "c5.safetensors", "C5", 2, 0.15, 0)
        cert = write_rho_cert(model, work / "c5.rho-set.json", model.name, max_rank_cost=10.0)
    except Exception:  # noqa: BLE001 - the prover found no certificate: no seed
        return []
    return [{"family": "groupop", "strategy": "rho-set", "cert": cert, "model": model, "truth": None,
             "name": "synthetic-c5.rho-set"}]


def _prove(m, strategy: str):
    if strategy == "brute-force":
        from pybridge.families.maxofk.brute_force import prove_brute_force

        return prove_brute_force(m)
    if strategy == "cubic":
        from pybridge.families.maxofk.cubic import prove_cubic

        return prove_cubic(m)
    if strategy == "cubic-count":
        from pybridge.families.maxofk.cubic_count import prove_cubic_count

        return prove_cubic_count(m)
    from pybridge.families.maxofk.subcubic import Variant, prove_subcubic

    return prove_subcubic(m, variant=Variant("exact", "exact_EQKE+max_diff_exact"))


# ---------------------------------------------------------------- mutations
def _paths(doc, prefix=()):
    """Every path to a value inside a JSON document."""
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:50]):  # long hint lists: the first entries are enough
            yield from _paths(v, prefix + (i,))


def _get(doc, path):
    for k in path:
        doc = doc[k]
    return doc


def _set(doc, path, value):
    if not path:
        return value
    _get(doc, path[:-1])[path[-1]] = value
    return doc


def mutate_cert(doc: dict, rng: random.Random) -> tuple[dict | bytes, str]:
    """One random mutation of a certificate document; returns (document or raw bytes, description)."""
    doc = copy.deepcopy(doc)
    kind = rng.choice(["value", "value", "value", "claim", "delete", "add", "list", "family", "file", "bytes", "hint"])
    paths = [p for p in _paths(doc) if p and p[0] != "prover"]
    if kind == "claim":
        c = doc.get("claim", {})
        if isinstance(c, dict) and isinstance(c.get("correct_at_least"), int):
            c["correct_at_least"] += rng.choice([1, 2, -1, 10**6, 2**70])
            return doc, "claim+delta"
    if kind == "family":
        doc["family"] = rng.choice(["maxofk", "groupop", "bilinear", "tprog", "function", "nope", 3])
        doc["strategy"] = rng.choice(["brute-force", "cubic", "cubic-count", "subcubic", "rho-set", "task-accuracy",
                                      "program-equivalence", "equivalent", "similarity", doc.get("strategy")])
        return doc, "family/strategy swap"
    if kind == "file" and isinstance(doc.get("model"), dict):
        doc["model"]["file"] = rng.choice(HOSTILE_FILES)
        return doc, f"model.file={doc['model']['file']!r}"
    if kind == "bytes":
        raw = bytearray(json.dumps(doc).encode())
        for _ in range(rng.randint(1, 8)):
            op = rng.random()
            i = rng.randrange(len(raw))
            if op < 0.5:
                raw[i] = rng.randrange(256)
            elif op < 0.8:
                del raw[i]
            else:
                raw[i:i] = bytes([rng.randrange(256)])
        if rng.random() < 0.2:
            raw = raw[: rng.randrange(len(raw))]
        return bytes(raw), "raw bytes"
    if kind == "hint":
        hp = [p for p in paths if p[0] == "hints" and isinstance(_get(doc, p), int) and not isinstance(_get(doc, p), bool)]
        if hp:
            p = rng.choice(hp)
            v = _get(doc, p)
            _set(doc, p, rng.choice([v + 1, v - 1, -v, v * 2**rng.randint(1, 80), -(2**rng.randint(8, 399)),
                                     rng.choice(HOSTILE_NUMBERS)]))
            return doc, f"hint {'/'.join(map(str, p))}"
    if not paths:
        return doc, "none"
    p = rng.choice(paths)
    if kind == "delete":
        parent = _get(doc, p[:-1])
        del parent[p[-1]]
        return doc, f"delete {'/'.join(map(str, p))}"
    if kind == "add":
        tgt = _get(doc, p[:-1])
        if isinstance(tgt, dict):
            tgt[rng.choice(["extra", "file", "x", "__proto__"])] = rng.choice(HOSTILE_NUMBERS + HOSTILE_STRINGS)
            return doc, f"add key under {'/'.join(map(str, p[:-1]))}"
    if kind == "list":
        tgt = _get(doc, p)
        if isinstance(tgt, list) and tgt:
            op = rng.choice(["dup", "shuffle", "pop", "nest", "huge"])
            if op == "dup":
                tgt.append(copy.deepcopy(rng.choice(tgt)))
            elif op == "shuffle":
                rng.shuffle(tgt)
            elif op == "pop":
                tgt.pop()
            elif op == "nest":
                tgt[0] = [tgt[0]]
            else:
                tgt.extend([copy.deepcopy(tgt[0])] * 2000)
            return doc, f"list {op} {'/'.join(map(str, p))}"
    v = rng.choice(HOSTILE_NUMBERS + HOSTILE_STRINGS + [None, [], {}, [1, 2], {"a": 1}])
    return _set(doc, p, v), f"value {'/'.join(map(str, p))}"


def mutate_model(src: Path, dst: Path, rng: random.Random) -> tuple[str, bool]:
    """Write a mutated copy of the model file; returns (description, whether it is still a valid safetensors
    file whose weights the certificate could be re-bound to)."""
    import numpy as np
    from safetensors import safe_open
    from safetensors.numpy import save_file

    kind = rng.choice(["meta", "values", "values", "bytes", "tensor"])
    if kind == "bytes":
        raw = bytearray(src.read_bytes())
        for _ in range(rng.randint(1, 6)):
            raw[rng.randrange(min(len(raw), 400))] = rng.randrange(256)
        if rng.random() < 0.3:
            raw = raw[: rng.randrange(len(raw))]
        dst.write_bytes(bytes(raw))
        return "model raw bytes", False
    try:
        with safe_open(str(src), framework="numpy") as f:
            meta = dict(f.metadata() or {})
            t = {k: f.get_tensor(k) for k in f.keys()}
    except Exception:  # noqa: BLE001 - JSON model files (tprog) and the like: raw mutation only
        dst.write_bytes(src.read_bytes()[:-1] + b"}")
        return "model (non-safetensors) tail", False
    if kind == "meta" and meta:
        k = rng.choice(sorted(meta))
        meta[k] = rng.choice(HOSTILE_STRINGS + [str(rng.choice([0, 1, 2, 4096, 4097, 10**9]))])
        save_file(t, str(dst), metadata=meta)
        return f"model meta {k}={meta[k]!r}", False
    if kind == "tensor":
        k = rng.choice(sorted(t))
        op = rng.choice(["drop", "reshape", "dtype", "extra"])
        if op == "drop":
            del t[k]
        elif op == "reshape":
            t[k] = t[k].reshape(-1)
        elif op == "dtype":
            t[k] = t[k].astype(rng.choice([np.int64, np.float16, np.int8]))
        else:
            t["extra.tensor"] = np.zeros((2, 2), dtype=np.float32)
        save_file(t, str(dst), metadata=meta)
        return f"model tensor {op} {k}", False
    k = rng.choice(sorted(t))
    a = t[k].astype(t[k].dtype, copy=True)
    if a.size and a.dtype.kind == "f":
        flat = a.reshape(-1)
        i = rng.randrange(flat.size)
        flat[i] = rng.choice([1e4, -1e4, 1e12, 1e30, 3e38, 1e-40, 0.0, flat[i] * 2, -flat[i], np.nan, np.inf,
                              flat[i] * 1e6])
    t[k] = a
    save_file(t, str(dst), metadata=meta)
    return f"model values {k}", True


# ---------------------------------------------------------------- one case
def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEM_LIMIT, MEM_LIMIT))
    os.setsid()


def run_check(cert: Path, model: Path | None, timeout: float) -> dict:
    """`pybridge check` in a subprocess with RLIMIT_AS and a timeout: exit code, output, seconds, peak RSS."""
    cmd = [sys.executable, "-m", "pybridge.cli", "check", str(cert), "--json"]
    if model is not None:
        cmd += ["--model", str(model)]
    env = {k: v for k, v in os.environ.items() if k != "PYBRIDGE_DEBUG"}
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        p = subprocess.Popen(cmd, stdout=so, stderr=se, stdin=subprocess.DEVNULL, preexec_fn=_limit, env=env)
        rss, status, timed_out = 0, None, False
        while True:
            pid, st, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                status, rss = st, ru.ru_maxrss
                break
            if time.perf_counter() - t0 > timeout:
                timed_out = True
                os.killpg(p.pid, 9)
                _, status, ru = os.wait4(p.pid, 0)
                rss = ru.ru_maxrss
                break
            time.sleep(0.01)
        p.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        out, err = so.read().decode(errors="replace"), se.read().decode(errors="replace")
    return {"rc": p.returncode, "stdout": out, "stderr": err, "seconds": time.perf_counter() - t0,
            "peak_rss_mib": rss / 1024, "timed_out": timed_out}


def judge(r: dict, truth: int | None, claimed: int | None) -> list[str]:
    """The properties every case must have (empty list: none violated)."""
    bad = []
    if r["timed_out"]:
        bad.append("timeout")
    if r["rc"] not in (0, 1, 2):
        bad.append(f"exit code {r['rc']}")
    if "Traceback" in r["stdout"] + r["stderr"]:
        bad.append("traceback")
    if len(r["stderr"].strip().splitlines()) > 1:
        bad.append("more than one line on stderr")
    if r["rc"] == 0 and truth is not None and claimed is not None and claimed > truth:
        bad.append(f"UNSOUND: accepted {claimed} > exact {truth}")
    return bad


def one_case(seed: dict, rng: random.Random, work: Path, timeout: float) -> dict:
    """Mutate the seed's certificate and/or model, run the checker, judge."""
    from pybridge.check.errors import InputError

    case = work / f"case{rng.randrange(10**9)}"
    case.mkdir()
    doc = json.loads(seed["cert"].read_text())
    model = case / seed["model"].name
    shutil.copy(seed["model"], model)
    what, truth = [], seed["truth"]
    mode = rng.choice(["cert", "cert", "cert", "model", "both", "rebind"])
    if mode in ("model", "both", "rebind"):
        desc, valid = mutate_model(seed["model"], model, rng)
        what.append(desc)
        if mode == "rebind" and valid and seed["family"] == "maxofk" and seed["truth"] is not None:
            # the attacker re-binds the certificate to the mutated weights: the claim must hold for them
            from reference import reference_counts

            from pybridge.check.maxofk.weights import load_maxofk

            try:
                doc["model_sha256"] = load_maxofk(model).sha256
                good, _, amb = reference_counts(model)
                truth = good + amb
                what.append("rebound")
            except (InputError, Exception):  # noqa: BLE001 - weights the checker refuses: nothing to re-bind
                truth = seed["truth"]
    payload: dict | bytes = doc
    if mode in ("cert", "both") or (mode == "rebind" and rng.random() < 0.5):
        payload, desc = mutate_cert(doc, rng)
        what.append(desc)
    if model.name != "m.safetensors" and isinstance(payload, dict) and isinstance(payload.get("model"), dict):
        if payload["model"].get("file") == seed["model"].name:
            pass  # the shipped certificate names its model by the same plain name: found beside it
    if isinstance(payload, dict) and isinstance(payload.get("model"), dict) and payload["model"].get("file") == "fifo.safetensors":
        os.mkfifo(case / "fifo.safetensors")
    cert = case / seed["cert"].name
    cert.write_bytes(payload if isinstance(payload, bytes) else json.dumps(payload).encode())
    claimed = None
    if isinstance(payload, dict) and isinstance(payload.get("claim"), dict):
        c = payload["claim"].get("correct_at_least")
        claimed = c if type(c) is int else None
    r = run_check(cert, model if rng.random() < 0.3 else None, timeout)
    bad = judge(r, truth if seed["family"] == "maxofk" else None, claimed)
    shutil.rmtree(case, ignore_errors=True)
    return {"seed": seed["name"], "family": seed["family"], "strategy": seed["strategy"], "mutation": "; ".join(what),
            "rc": r["rc"], "seconds": round(r["seconds"], 3), "peak_rss_mib": round(r["peak_rss_mib"], 1),
            "violations": bad, "stderr": r["stderr"].strip()[:300]}


# ---------------------------------------------------------------- the run
def run(cases: int, seed: int, tiny: int, timeout: float, work: Path) -> dict:
    rng = random.Random(seed)
    seeds = shipped_seeds() + rho_seeds(work / "rho") + tiny_seeds(work / "tiny", tiny, rng)
    results = []
    t0 = time.perf_counter()
    for i in range(cases):
        s = seeds[i % len(seeds)] if i < len(seeds) else rng.choice(seeds)
        results.append(one_case(s, rng, work, timeout))
    return {"cases": len(results), "seconds": round(time.perf_counter() - t0, 1), "seeds": len(seeds),
            "families": sorted({r["family"] for r in results}),
            "strategies": sorted({f"{r['family']}/{r['strategy']}" for r in results}),
            "exit_codes": {str(k): sum(r["rc"] == k for r in results) for k in sorted({r["rc"] for r in results})},
            "max_seconds": max((r["seconds"] for r in results), default=0),
            "max_peak_rss_mib": max((r["peak_rss_mib"] for r in results), default=0),
            "findings": [r for r in results if r["violations"]], "results": results,
            "limits": {"rlimit_as_mib": MEM_LIMIT >> 20, "timeout_s": timeout}}


def markdown(rep: dict) -> str:
    lines = ["# Fuzzing the trusted checker (issue 10)", "",
             f"`python bench/fuzz_checker.py --cases {rep['cases']} --seed {rep['seed']}`: {rep['cases']} cases in "
             f"{rep['seconds']} s from {rep['seeds']} seeds (every certificate of certificates/index.json plus tiny "
             "Max-of-k models with exact counts from tests/reference.py).", "",
             f"- families: {', '.join(rep['families'])}",
             f"- family/strategy pairs: {', '.join(rep['strategies'])}",
             f"- exit codes: {rep['exit_codes']}",
             f"- slowest case: {rep['max_seconds']} s (timeout {rep['limits']['timeout_s']} s); largest peak RSS: "
             f"{rep['max_peak_rss_mib']} MiB (RLIMIT_AS {rep['limits']['rlimit_as_mib']} MiB)",
             f"- findings (exit code outside 0/1/2, traceback, more than one stderr line, timeout, or an accepted claim "
             f"above the exact count): **{len(rep['findings'])}**", ""]
    for f in rep["findings"][:30]:
        lines.append(f"  - {f['seed']} [{f['mutation']}]: {', '.join(f['violations'])} -- {f['stderr'][:160]}")
    by = {}
    for r in rep["results"]:
        by.setdefault(f"{r['family']}/{r['strategy']}", []).append(r["rc"])
    lines += ["", "| family/strategy | cases | exit 0 | exit 1 | exit 2 |", "| --- | --- | --- | --- | --- |"]
    for k in sorted(by):
        v = by[k]
        lines.append(f"| {k} | {len(v)} | {v.count(0)} | {v.count(1)} | {v.count(2)} |")
    return "\n".join(lines) + "\n"


def bounds() -> list[dict]:
    """Per shipped certificate: the work and bits each check states before it starts (check/limits.py), and
    the measured seconds and peak RSS of `pybridge check` in a subprocess (RLIMIT_AS as above)."""
    from pybridge.check import limits, verify

    rows = []
    for s in shipped_seeds():
        stated: list[tuple[str, int, int]] = []
        real = limits.require

        def record(what, work=0, bits=0, _real=real):
            stated.append((what, work, bits))
            return _real(what, work, bits)

        limits.require = record
        try:
            mods = [m for m in list(sys.modules.values()) if getattr(m, "require", None) is real]
            for m in mods:
                m.require = record
            try:
                verify(s["cert"])
            finally:
                for m in mods:
                    m.require = real
        finally:
            limits.require = real
        r = run_check(s["cert"], None, 600)
        rows.append({"certificate": s["name"], "family": s["family"], "strategy": s["strategy"],
                     "stated_work": max((w for _, w, _ in stated), default=0),
                     "stated_bits": max((b for _, _, b in stated), default=0),
                     "bounds": [list(x) for x in stated], "rc": r["rc"], "seconds": round(r["seconds"], 2),
                     "peak_rss_mib": round(r["peak_rss_mib"], 1)})
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tiny", type=int, default=6, help="tiny generated Max-of-k models")
    ap.add_argument("--timeout", type=float, default=TIMEOUT)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "fuzz_checker"))
    ap.add_argument("--bounds", action="store_true", help="only measure the stated bounds and peak memory of "
                    "checking every shipped certificate (bench/results/checker_bounds.json)")
    args = ap.parse_args()
    if args.bounds:
        rows = bounds()
        (ROOT / "bench" / "results" / "checker_bounds.json").write_text(json.dumps(rows, indent=1) + "\n")
        for r in rows:
            print(f"{r['certificate']:<48} rc={r['rc']} work={r['stated_work']:.3g} bits={r['stated_bits']} "
                  f"{r['seconds']} s {r['peak_rss_mib']} MiB")
        return 0
    with tempfile.TemporaryDirectory(prefix="pybridge-fuzz-") as tmp:
        rep = run(args.cases, args.seed, args.tiny, args.timeout, Path(tmp))
    rep["seed"] = args.seed
    out = Path(args.out)
    slim = dict(rep, results=[{k: r[k] for k in ("seed", "mutation", "rc", "seconds", "peak_rss_mib")} for r in rep["results"]])
    out.with_suffix(".json").write_text(json.dumps(slim, indent=1, sort_keys=True) + "\n")
    out.with_suffix(".md").write_text(markdown(rep))
    print(markdown(rep))
    return 1 if rep["findings"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
