"""Shared by the device scripts: CUDA-event timing and the CSV rows they write ($OUT/<name> or ./<name>)."""
import csv
import os

import torch

FIELDS = ["kind", "dtype", "model", "m", "n", "k", "batch", "context", "time_us", "tflops", "gbps", "note"]


class Rows:
    """Rows of one CSV file, rewritten whole by save() so that a run cut short keeps what it measured."""

    def __init__(self, name):
        self.path = os.path.join(os.environ.get("OUT", "."), name)
        self.rows = []

    def add(self, **r):
        self.rows.append(r)

    def save(self):
        with open(self.path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            w.writeheader()
            for r in self.rows:
                w.writerow({k: r.get(k, "") for k in FIELDS})


def time_us(fn, warmup=5, min_iters=10, target_ms=60.0):
    """Median time of fn() in microseconds, with CUDA events around batches of calls (each batch >= ~2 ms)."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    s = torch.cuda.Event(enable_timing=True)
    e = torch.cuda.Event(enable_timing=True)
    s.record()
    fn()
    e.record()
    torch.cuda.synchronize()
    one_ms = max(s.elapsed_time(e), 1e-3)
    inner = max(1, int(2.0 / one_ms))
    batches = max(min_iters, min(50, int(target_ms / (one_ms * inner)) + 1))
    times = []
    for _ in range(batches):
        s.record()
        for _ in range(inner):
            fn()
        e.record()
        e.synchronize()
        times.append(s.elapsed_time(e) * 1000.0 / inner)
    times.sort()
    return times[len(times) // 2]
