#!/usr/bin/env python3
"""Routed-expert (MoE) GEMMs on a real GPU, to check tokenfleet's MoE term against.

Times grouped GEMMs (torch._grouped_mm, bf16; a loop of per-expert torch.mm where that is missing) over E
local experts, each receiving t tokens, at the expert shapes of DeepSeek-V3/R1 (hidden 7168, expert
intermediate 2048), Qwen3-235B-A22B (4096, 1536) and gpt-oss-120b (2880, 2880). Rows:
`kind=moe_gemm,dtype,model=<model>:<layer>,m=<tokens per expert>,n,k,batch=<experts>,time_us,tflops,gbps,note`
to $OUT/moe.csv (or ./moe.csv), then a summary. Each case is guarded: a failure is recorded, not fatal.

Usage: python3 bench/device/moe.py [--budget-s 150]
"""
import argparse
import time

import torch
from timing import Rows, time_us

parser = argparse.ArgumentParser()
parser.add_argument("--budget-s", type=float, default=150.0)
args = parser.parse_args()
START = time.time()
OUT = Rows("moe.csv")
OUT_PATH = OUT.path
rows = OUT.rows
write_rows = OUT.save
dev = torch.device("cuda")


grouped = getattr(torch, "_grouped_mm", None)
print(f"torch {torch.__version__}; torch._grouped_mm {'present' if grouped else 'missing'}", flush=True)

# (model, layer, N, K): each expert computes y[t, N] = x[t, K] @ W_e[K, N]
SHAPES = [
    ("deepseek-v3", "gate_up", 4096, 7168),
    ("deepseek-v3", "down", 7168, 2048),
    ("qwen3-235b-a22b", "gate_up", 3072, 4096),
    ("qwen3-235b-a22b", "down", 4096, 1536),
    ("gpt-oss-120b", "gate_up", 5760, 2880),
    ("gpt-oss-120b", "down", 2880, 2880),
]
EXPERTS = [8, 32, 64]
TOKENS = [16, 32, 64, 128, 256, 512, 1024]

mode = None
for model, layer, n, k in SHAPES:
    for experts in EXPERTS:
        if time.time() - START > args.budget_s:
            break
        try:
            w = torch.randn(experts, n, k, dtype=torch.bfloat16, device=dev) * 0.02  # [E, N, K] as stored
            for t in TOKENS:
                if experts * t * k * 2 > 4 * 2**30:
                    continue
                x = torch.randn(experts * t, k, dtype=torch.bfloat16, device=dev)
                offs = torch.arange(1, experts + 1, device=dev, dtype=torch.int32) * t
                fn = None
                if grouped is not None:
                    for layout in ("nk_t", "kn"):
                        try:
                            b = w.transpose(-2, -1) if layout == "nk_t" else w.transpose(-2, -1).contiguous()
                            cand = (lambda b=b: grouped(x, b, offs=offs, out_dtype=torch.bfloat16))
                            cand()
                            fn, mode = cand, f"torch._grouped_mm ({layout})"
                            break
                        except Exception as ex:  # noqa: BLE001
                            mode = f"grouped_mm failed: {ex}"[:150]
                if fn is None:
                    xs = x.view(experts, t, k)
                    fn = lambda: [torch.mm(xs[e], w[e].t()) for e in range(experts)]  # noqa: E731
                    mode = "loop of torch.mm (grouped_mm unavailable)"
                us = time_us(fn, target_ms=50.0)
                flops = 2.0 * experts * t * n * k
                nbytes = experts * n * k * 2 + experts * t * (k + n) * 2
                rows.append(dict(kind="moe_gemm", dtype="bf16", model=f"{model}:{layer}", m=t, n=n, k=k, batch=experts,
                                 time_us=f"{us:.3f}", tflops=f"{flops / (us * 1e-6) / 1e12:.2f}",
                                 gbps=f"{nbytes / (us * 1e-6) / 1e9:.1f}", note=mode))
            del w
            print(f"{model}:{layer} E={experts}: done at {time.time() - START:.0f} s ({mode})", flush=True)
        except Exception as ex:  # noqa: BLE001
            rows.append(dict(kind="moe_gemm", model=f"{model}:{layer}", batch=experts, note=f"error: {ex}"[:200]))
            print("failed:", model, layer, experts, ex, flush=True)
        write_rows()

write_rows()
print(f"\n{len(rows)} rows in {OUT_PATH}, {time.time() - START:.0f} s")
for r in rows:
    if r.get("time_us") and r["m"] in (16, 128, 1024):
        print(f"{r['model']:<26} E={r['batch']:<3} t={r['m']:<5} {float(r['time_us']):9.1f} us {r['tflops']:>8} TFLOP/s {r['gbps']:>8} GB/s")
for r in rows:
    if str(r.get("note", "")).startswith("error"):
        print("ERROR", r["model"], r["note"])
