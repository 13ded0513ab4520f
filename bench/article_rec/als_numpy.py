#!/usr/bin/env python3
"""The job's implicit ALS (MrChrisJohnson/implicit-mf as ported in the original: exact solve per
row, C used directly, p = 1[c > 0]) in numpy, from the same matrix and initial item factors as
bench/article_rec/als_fit_bench.cc wrote to DIR; prints its fit time and the agreement of the
item factors and of each article's 20 nearest articles with recplat's two solvers.
Usage: als_numpy.py DIR"""
import sys, time
import numpy as np

d = sys.argv[1]
rows, cols, f, lam, iters = open(f"{d}/shape.txt").read().split()
rows, cols, f, lam, iters = int(rows), int(cols), int(f), float(lam), int(iters)
r = np.fromfile(f"{d}/rows.bin", dtype=np.int32)
c = np.fromfile(f"{d}/cols.bin", dtype=np.int32)
v = np.fromfile(f"{d}/vals.bin", dtype=np.float32).astype(np.float64)
items = np.fromfile(f"{d}/init_items.bin", dtype=np.float32).reshape(cols, f).astype(np.float64)


def csr(index, other, n):
    order = np.lexsort((other, index))
    starts = np.searchsorted(index[order], np.arange(n + 1))
    return order, starts


by_row = csr(r, c, rows)
by_col = csr(c, r, cols)


def half_step(fixed, group, index_other, n):
    order, starts = group
    yty = fixed.T @ fixed + lam * np.eye(f)
    out = np.zeros((n, f))
    for u in range(n):
        sel = order[starts[u]:starts[u + 1]]
        y = fixed[index_other[sel]]
        cu = v[sel]
        a = yty + (y.T * cu) @ y
        b = y.T @ (cu + 1.0)
        out[u] = np.linalg.solve(a, b)
    return out


start = time.time()
users = np.zeros((rows, f))
for _ in range(iters):
    users = half_step(items, by_row, c, rows)
    items = half_step(users, by_col, r, cols)
fit = time.time() - start
print(f"numpy    exact    rows={rows} cols={cols} nnz={len(v)} fit={fit:.3f}s")


def nearest(x, k=20):
    n = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-30)
    s = n @ n.T
    np.fill_diagonal(s, -np.inf)
    return np.argsort(-s, axis=1, kind="stable")[:, :k]


ref = nearest(items)
for name in ("cholesky", "cg"):
    ours = np.fromfile(f"{d}/items_{name}.bin", dtype=np.float32).reshape(cols, f).astype(np.float64)
    rel = np.linalg.norm(ours - items) / np.linalg.norm(items)
    got = nearest(ours)
    overlap = np.mean([len(set(a) & set(b)) / 20.0 for a, b in zip(got, ref)])
    print(f"agreement recplat {name:<8} vs numpy: relative factor difference {rel:.2e}, "
          f"top-20 nearest overlap {overlap:.4f}")
