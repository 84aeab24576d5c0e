"""Feasibility probe (untrusted, float64) for issue 13 item 4: can an interpretation I certify accuracy cheaply?

Not a proof and not wired into the CLI. For a modular-addition bilinear model (embed absent, head optional) it
computes the float logits T[a,b,c] on all one-hot pairs, fits I = u(a,c) + v(b,c) + g((a+b) mod P, c) by
alternating means (and, separately, k-frequency truncations of the class mean g alone), and reports how many pairs
the rule "I's margin > 2 * |f - I| bound" would certify for a global, per-row (a or b) and per-pair error bound.

    python bench/bilinear_fourier_feasibility.py /tmp/bl/grok/final.safetensors --p 113
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", type=Path)
    ap.add_argument("--p", type=int, required=True)
    a_ = ap.parse_args()
    if not a_.model.exists():
        print(f"no model at {a_.model} (train it with bench/bilinear_grokking.py)")
        return 2
    W = load_file(str(a_.model))
    P = a_.p
    L, R, D = (W[f"bilinear.0.W_{k}"].astype(float) for k in "LRD")
    if "embed.W" in W:
        L, R = L @ W["embed.W"].astype(float), R @ W["embed.W"].astype(float)
    if "head.W" in W:
        D = W["head.W"].astype(float) @ D
    a = np.arange(P)
    hl = L[:, :P, None] + L[:, None, P:]
    hr = R[:, :P, None] + R[:, None, P:]
    T = np.einsum("ch,hab->abc", D, hl * hr)
    s = (a[:, None] + a[None, :]) % P

    def margins(I):
        t = I[a[:, None], a[None, :], s]
        J = I.copy()
        J[a[:, None], a[None, :], s] = -np.inf
        return t - J.max(-1)

    m_f = margins(T)
    print(f"model: float correct {(m_f > 0).sum()}/{P * P}, margin min {m_f.min():.3g} median {np.median(m_f):.3g}, "
          f"logit absmax {np.abs(T).max():.3g}")
    g = np.stack([T[s == r].mean(0) for r in range(P)])
    for k in (1, 2, 4, 8, 20, 56):
        G = np.fft.fft2(g)
        idx = np.argsort((np.abs(G) ** 2).ravel())[::-1][: 2 * k + 1]
        mask = np.zeros(P * P, bool)
        mask[idx] = True
        I = np.real(np.fft.ifft2(np.where(mask.reshape(P, P), G, 0)))[s]
        r = np.abs(T - I)
        m = margins(I)
        print(f"I = class mean, {2 * k + 1} strongest 2-D Fourier terms: I margin min {m.min():.3g}, "
              f"max|f-I| {r.max():.3g}; certified global {(m > 2 * r.max()).sum()}, per-pair {(m > 2 * r.max(-1)).sum()}")
    u = np.zeros((P, P)); v = np.zeros((P, P)); g = np.zeros((P, P))
    for _ in range(30):
        u = (T - v[None] - g[s]).mean(1)
        v = (T - u[:, None] - g[s]).mean(0)
        Rr = T - u[:, None] - v[None]
        g = np.stack([Rr[s == r].mean(0) for r in range(P)])
    I = u[:, None] + v[None] + g[s]
    res = T - I
    m = margins(I)
    ra, rb, rp = np.abs(res).max(axis=(1, 2)), np.abs(res).max(axis=(0, 2)), np.abs(res).max(-1)
    print(f"I = u(a)+v(b)+g(a+b) (no truncation): I margin min {m.min():.3g}, max|f-I| {np.abs(res).max():.3g}, "
          f"rms {np.sqrt((res ** 2).mean()):.3g}")
    print(f"  certified: global bound {(m > 2 * np.abs(res).max()).sum()}, per-a row {(m > 2 * ra[:, None]).sum()}, "
          f"per-b row {(m > 2 * rb[None]).sum()}, per-pair {(m > 2 * rp).sum()} (per-pair needs every logit: brute force)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
