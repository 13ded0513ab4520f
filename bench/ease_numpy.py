#!/usr/bin/python3
"""EASE fit in numpy, the reference half of bench/ease_fit_compare.sh.

Builds the same synthetic users x items matrix as bench/ease_fit_bench.cc (same generator,
same seed, so the same X) and fits EASE the way the usual numpy implementation does (Steck's
reference code), with float32 arrays like the C++ solver:

    G = XᵀX (+ λ on the diagonal);  P = np.linalg.inv(G);  B = P / -diag(P);  diag(B) = 0

np.linalg.inv is LAPACK gesv against the identity (LU: getrf 2n³/3 + getrs 2n³ = 8n³/3
flops); numpy has no Cholesky-based inverse (that needs scipy). numpy's linalg (1.24) computes
in float64 whatever the input (`_commonType`: "always double"), so inv of a float32 G runs
dgesv on a float64 copy against a float64 identity and casts back: its peak is about 32·n²
bytes (3.6 GB measured at n = 10,000) against recplat's 4·n², which puts n = 20,000 (~13 GB)
and 35,000 (~39 GB) out of reach of a 23 GB machine. The Gram matrix is built without scipy:
per block of rows of G, np.bincount over the (i, j) pairs of each user's items. Each n prints
the process's peak RSS so far (run one n per process, as ease_fit_compare.sh does).

With EASE_NUMPY_SOLVER=cholesky32 the inverse is LAPACK's float32 Cholesky inverse instead
(scipy.linalg.lapack spotrf + spotri, in place on G, n³ flops): the algorithm and precision of
recplat's solver, and a peak of about 4·n² bytes, so that n = 35,000 (4.9 GB) fits; the upper
triangle is then mirrored a block at a time. scipy is Debian's python3-scipy
(scripts/install-deps.sh --with-bench).

Usage: /usr/bin/python3 bench/ease_numpy.py [n ...]   (default 1000 5000 20000)
  env EASE_BENCH_L2 (default 500), EASE_BENCH_SEED (default 1),
      EASE_NUMPY_SOLVER inv64 (default: np.linalg.inv) | cholesky32
Prints one key=value line per n, in the format of ease_fit_bench.
"""
import os
import resource
import sys
import time

import numpy as np

MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix64(x):
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def make_matrix(n, seed):
    """Distinct (user, item) pairs sorted by user then item, as (users, items) int64 arrays."""
    users = 5 * n
    u = np.arange(users, dtype=np.uint64)
    base = np.uint64((seed << 48) & 0xFFFFFFFFFFFFFFFF)
    k = (np.uint64(10) + splitmix64(base ^ (u * np.uint64(128))) % np.uint64(61)).astype(np.int64)
    t = np.arange(1, 71, dtype=np.uint64)
    draws = splitmix64(base ^ (u[:, None] * np.uint64(128) + t[None, :])) % np.uint64(n)
    mask = np.arange(1, 71)[None, :] <= k[:, None]
    uu = np.broadcast_to(u[:, None], draws.shape)[mask].astype(np.int64)
    ii = draws[mask].astype(np.int64)
    key = np.unique(uu * n + ii)
    return key // n, key % n


def gram(users, items, n, block_rows):
    """XᵀX (float32, n x n) of binary X from sorted distinct (user, item) pairs."""
    g = np.empty((n, n), dtype=np.float32)
    starts = np.searchsorted(users, np.arange(users[-1] + 2))
    row_start = starts[users]
    row_len = starts[users + 1] - row_start
    for a in range(0, n, block_rows):
        b = min(n, a + block_rows)
        sel = (items >= a) & (items < b)
        lens = row_len[sel]
        left = np.repeat(items[sel] - a, lens)
        first = np.repeat(row_start[sel] - (np.cumsum(lens) - lens), lens)
        right = items[first + np.arange(lens.sum())]
        counts = np.bincount(left * n + right, minlength=(b - a) * n)
        g[a:b] = counts.reshape(b - a, n)
    return g


def cholesky_inverse32(g):
    """G⁻¹ of the symmetric positive definite float32 `g`, in place (spotrf + spotri).

    `g` is C-ordered; its transpose is the same matrix in Fortran order, which LAPACK takes
    without a copy. spotri fills one triangle; the other is mirrored a block of rows at a time.
    """
    from scipy.linalg import lapack
    f = g.T
    c, info = lapack.spotrf(f, lower=1, overwrite_a=1, clean=0)
    if info != 0:
        raise RuntimeError("spotrf: info %d" % info)
    inv, info = lapack.spotri(c, lower=1, overwrite_c=1)
    if info != 0:
        raise RuntimeError("spotri: info %d" % info)
    if not np.shares_memory(inv, g):
        raise RuntimeError("spotri copied G (expected in place)")
    p = g  # The Fortran lower triangle is the C upper triangle.
    n = p.shape[0]
    step = max(1, 4_000_000 // n)
    for a in range(0, n, step):
        b = min(n, a + step)
        block = p[a:b, a:b]
        block[:] = np.triu(block) + np.triu(block, 1).T
        p[b:, a:b] = p[a:b, b:].T
    return p


def abs_sum(p):
    """Σ|p| in float64, a block of rows at a time (no n x n temporary to inflate the peak RSS)."""
    step = max(1, 4_000_000 // p.shape[1])
    return sum(float(np.abs(p[a:a + step]).sum(dtype=np.float64))
               for a in range(0, p.shape[0], step))


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 5000, 20000]
    l2 = float(os.environ.get("EASE_BENCH_L2", "500"))
    seed = int(float(os.environ.get("EASE_BENCH_SEED", "1")))
    solver = os.environ.get("EASE_NUMPY_SOLVER", "inv64")
    if solver not in ("inv64", "cholesky32"):
        sys.exit("ease_numpy: EASE_NUMPY_SOLVER must be inv64 or cholesky32, not %r" % solver)
    np.linalg.inv(np.eye(4, dtype=np.float32))  # Loads LAPACK, so the maps below show it.
    if solver == "cholesky32":
        cholesky_inverse32(np.eye(4, dtype=np.float32) * 2)
    libs = sorted({line.split()[-1] for line in open("/proc/self/maps")
                   if "blas" in line or "lapack" in line})
    print("# impl=numpy numpy=%s solver=%s libs=%s" % (np.__version__, solver, ",".join(libs)),
          flush=True)
    for n in sizes:
        users, items = make_matrix(n, seed)
        t0 = time.perf_counter()
        g = gram(users, items, n, max(1, 25_000_000 // n))
        g[np.diag_indices(n)] += np.float32(l2)
        t1 = time.perf_counter()
        if solver == "cholesky32":
            p = cholesky_inverse32(g)
        else:
            p = np.linalg.inv(g)
        del g
        t2 = time.perf_counter()
        p /= -np.diag(p).copy()
        np.fill_diagonal(p, 0.0)
        t3 = time.perf_counter()
        flops = float(n) ** 3 if solver == "cholesky32" else 8.0 / 3.0 * n ** 3
        print("impl=numpy n=%d users=%d nnz=%d gram_s=%.4f invert_s=%.4f weights_s=%.4f "
              "total_s=%.4f invert_gflops=%.1f b_abs_sum=%.9e b01=%.9e peak_rss_mb=%.0f" % (
                  n, 5 * n, len(items), t1 - t0, t2 - t1, t3 - t2, t3 - t0,
                  flops / (t2 - t1) / 1e9, abs_sum(p), p[0, 1],
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0),
              flush=True)
        del p


if __name__ == "__main__":
    main()
