#!/usr/bin/env python3
"""iALS in numpy, the same algorithm as trainers/als/ials_solver.h with exact solves (the
reference of bench/ials_fit_compare.sh): binary weights, nu = 1, H ~ N(0, 0.1^2/d), W = 0;
each half-step solves (alpha0 G + sum_i h_i h_i^T + lambda_r I) w = sum_i h_i for all rows,
batched: per-entry outer products summed per row (np.add.reduceat) and np.linalg.solve on the
stacked systems, in chunks of rows (~20k entries: entries x d x d floats, 330 MB at d = 64).

    bench/ials_numpy.py PAIRS FACTORS EPOCHS L2 ALPHA0
"""
import json
import sys
import time

import numpy as np


def half_step(indptr, indices, fixed, alpha0, l2, chunk_entries=20_000):
    n_rows = len(indptr) - 1
    d = fixed.shape[1]
    gram = alpha0 * (fixed.T @ fixed)
    out = np.zeros((n_rows, d), dtype=np.float32)
    count = fixed.shape[0]
    start = 0
    while start < n_rows:
        end = start
        while end < n_rows and indptr[end + 1] - indptr[start] <= chunk_entries:
            end += 1
        end = max(end, start + 1)
        lo, hi = indptr[start], indptr[end]
        sizes = np.diff(indptr[start:end + 1])
        rows = np.nonzero(sizes)[0]
        if len(rows):
            f = fixed[indices[lo:hi]]                       # entries x d
            outer = np.einsum('ni,nj->nij', f, f)           # entries x d x d
            offsets = (indptr[start:end] - lo)[rows]
            a = np.add.reduceat(outer, offsets, axis=0) + gram
            b = np.add.reduceat(f, offsets, axis=0)
            lam = l2 * (sizes[rows] + alpha0 * count)
            a[:, np.arange(d), np.arange(d)] += lam[:, None]
            out[start + rows] = np.linalg.solve(a, b[..., None])[..., 0]
        start = end
    return out


def objective(indptr, indices, w, h, alpha0, l2):
    users, items = w.shape[0], h.shape[0]
    loss = alpha0 * float(np.sum((w.T.astype(np.float64) @ w) * (h.T.astype(np.float64) @ h)))
    row = np.repeat(np.arange(users), np.diff(indptr))
    dots = np.einsum('nd,nd->n', w[row].astype(np.float64), h[indices].astype(np.float64))
    loss += float(np.sum((dots - 1) ** 2))
    loss += l2 * float(np.sum((np.diff(indptr) + alpha0 * items) * np.sum(w.astype(np.float64) ** 2, 1)))
    item_count = np.bincount(indices, minlength=items)
    loss += l2 * float(np.sum((item_count + alpha0 * users) * np.sum(h.astype(np.float64) ** 2, 1)))
    return loss


def main():
    path, d, epochs, l2, alpha0 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
    pairs = np.loadtxt(path, dtype=np.int64).reshape(-1, 2)
    users, items = pairs[:, 0].max() + 1, pairs[:, 1].max() + 1
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    u, i = pairs[order, 0], pairs[order, 1]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(u, minlength=users))])
    t_order = np.lexsort((u, i))
    t_indptr = np.concatenate([[0], np.cumsum(np.bincount(i, minlength=items))])
    t_indices = u[t_order]
    rng = np.random.default_rng(42)
    h = (rng.standard_normal((items, d)) * 0.1 / np.sqrt(d)).astype(np.float32)
    w = np.zeros((users, d), dtype=np.float32)
    start = time.perf_counter()
    for _ in range(epochs):
        w = half_step(indptr, i, h, alpha0, l2)
        h = half_step(t_indptr, t_indices, w, alpha0, l2)
    seconds = time.perf_counter() - start
    print(json.dumps({"side": "numpy", "n_users": int(users), "n_items": int(items),
                      "nnz": int(len(u)), "factors": d, "epochs": epochs, "cg_steps": 0,
                      "seconds": round(seconds, 3),
                      "objective": float('%.6g' % objective(indptr, i, w, h, alpha0, l2))}))


if __name__ == '__main__':
    main()
