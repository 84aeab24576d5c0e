import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def coqc_rejects_tampered_bias(v: Path, big: int) -> None:
    """Set the first bias of the exported groupop Coq file `v` to `big` and assert that coqc rejects it
    (a huge bias on class 0 leaves only the pairs with x*y = 0 correct, fewer than any useful claim)."""
    import re

    from pybridge.export.coq import run_coqc

    text = v.read_text()
    new = re.sub(r"bU := \[(-?\d+);", f"bU := [{big};", text, count=1)
    assert new != text
    v.write_text(new)
    ok, _, out = run_coqc(v)
    assert not ok and "Error" in out
