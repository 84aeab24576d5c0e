"""Issue 10: a small fuzzing budget in the suite (the bigger run is bench/fuzz_checker.py, results in
bench/results/fuzz_checker.md). Seeds: every shipped certificate of certificates/index.json that checks in
well under a second (any family: families added later are fuzzed automatically) plus tiny Max-of-k models
whose exact count tests/reference.py knows. Mutations: certificate values/keys/claims/hints/model.file/raw
bytes, model metadata/values/tensors/raw bytes, and re-binding the certificate to mutated weights.

Properties: the checker returns or raises InputError/Rejected only (nothing else escapes `verify`); on the
tiny models an accepted claim never exceeds the exact count; through the CLI (subprocess, RLIMIT_AS 2 GiB,
timeout) the exit code is 0/1/2 with at most one line on stderr and no traceback.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pybridge.check import InputError, Rejected, verify

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("fuzz_checker", ROOT / "bench" / "fuzz_checker.py")
fz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fz)

FAST_TOTAL = 10_000  # shipped seeds with at most this many inputs check in well under a second


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    index = {e["certificate"]: e for e in json.loads((ROOT / "certificates" / "index.json").read_text())}
    shipped = [s for s in fz.shipped_seeds() if index[s["cert"].name]["total"] <= FAST_TOTAL]
    tiny = fz.tiny_seeds(tmp_path_factory.mktemp("tiny"), 2, random.Random(7))
    rho = fz.rho_seeds(tmp_path_factory.mktemp("rho"))
    assert {s["family"] for s in shipped} >= {"maxofk", "groupop"} and tiny and rho
    return shipped + rho + tiny


def _mutated_case(seed: dict, rng: random.Random, work: Path) -> tuple[Path, Path, int | None, int | None]:
    """Mutate in place of a run through the CLI: (certificate, model, truth or None, claimed or None)."""
    from reference import reference_counts

    from pybridge.check.maxofk.weights import load_maxofk

    work.mkdir(parents=True, exist_ok=True)
    doc = json.loads(seed["cert"].read_text())
    model = work / seed["model"].name
    shutil.copy(seed["model"], model)
    truth = seed["truth"]
    mode = rng.choice(["cert", "cert", "model", "rebind"])
    if mode in ("model", "rebind"):
        _, valid = fz.mutate_model(seed["model"], model, rng)
        if mode == "rebind" and valid and seed["truth"] is not None:
            try:
                doc["model_sha256"] = load_maxofk(model).sha256
                good, _, amb = reference_counts(model)
                truth = good + amb
            except InputError:
                pass
    payload = doc
    if mode == "cert" or rng.random() < 0.3:
        payload, _ = fz.mutate_cert(doc, rng)
    if isinstance(payload, dict) and isinstance(payload.get("model"), dict) and payload["model"].get("file") == "fifo.safetensors":
        os.mkfifo(work / "fifo.safetensors")
    cert = work / seed["cert"].name
    cert.write_bytes(payload if isinstance(payload, bytes) else json.dumps(payload).encode())
    claimed = None
    if isinstance(payload, dict) and isinstance(payload.get("claim"), dict) and type(payload["claim"].get("correct_at_least")) is int:
        claimed = payload["claim"]["correct_at_least"]
    return cert, model, truth, claimed


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_in_process(seeds, tmp_path_factory, data):
    seed = data.draw(st.sampled_from(seeds), label="seed")
    rng = data.draw(st.randoms(use_true_random=False), label="rng")
    cert, model, truth, claimed = _mutated_case(seed, rng, tmp_path_factory.mktemp("case"))
    try:
        r = verify(cert, model if rng.random() < 0.3 else None)
    except (InputError, Rejected) as e:
        assert "\n" not in str(e)
        return
    if truth is not None and seed["family"] == "maxofk":
        assert r.correct_at_least <= truth, f"accepted {r.correct_at_least} > exact {truth}"


def test_fuzz_cli_subprocess(seeds, tmp_path):
    """A few cases through the real CLI under RLIMIT_AS: exit code, one line, no traceback, time, memory."""
    rng = random.Random(11)
    for i in range(8):
        seed = seeds[i % len(seeds)]
        cert, model, truth, claimed = _mutated_case(seed, rng, tmp_path / f"c{i}")
        r = fz.run_check(cert, None, timeout=60)
        assert not fz.judge(r, truth if seed["family"] == "maxofk" else None, claimed), (seed["name"], r)
        assert r["peak_rss_mib"] < fz.MEM_LIMIT >> 20
