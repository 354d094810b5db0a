#!/usr/bin/env python3
"""Kernel and step timings on a real GPU, to check tokenfleet's step-time model against.

Runs on a machine with an NVIDIA GPU and PyTorch (no network, no vLLM needed). It times, with CUDA
events (median of repeats after warm-up):
  - copy: a device-to-device copy (memory bandwidth ceiling),
  - gemm: bf16 and fp8 (torch._scaled_mm, per-tensor scales) matrix products at the shapes of real
    models' layers (Llama-3.1-8B at TP1, Llama-3.1-70B at TP4, Qwen3-32B at TP2) for M = 1..8192 tokens,
  - attn_prefill: causal flash attention (torch SDPA) for one sequence of S tokens, GQA 32/8 heads x 128,
  - attn_decode: one query per sequence over a KV cache of L tokens (torch SDPA), batch B,
  - step_decode / step_prefill: a whole Llama-3.1-8B-shaped forward pass (32 layers, bf16, random
    weights, static KV cache, no paging) replayed as a CUDA graph for decode, eager for prefill.
Writes CSV rows `kind,dtype,model,m,n,k,batch,context,time_us,tflops,gbps,note` to $OUT/kernels.csv
(or ./kernels.csv) and prints a summary. Each section is guarded: a failure is recorded, not fatal.

Usage: python3 bench/device/kernels.py [--budget-s 300]
"""
import argparse
import sys
import time

import torch
import torch.nn.functional as F
from timing import Rows, time_us

parser = argparse.ArgumentParser()
parser.add_argument("--budget-s", type=float, default=300.0)
parser.add_argument("--quick", action="store_true", help="a few shapes only (smoke test)")
args = parser.parse_args()

START = time.time()
OUT = Rows("kernels.csv")
OUT_PATH = OUT.path
rows = OUT.rows
add = OUT.add
write_rows = OUT.save
dev = torch.device("cuda")
torch.backends.cuda.matmul.allow_tf32 = False


def elapsed():
    return time.time() - START


def out_of_time(share=1.0):
    return elapsed() > args.budget_s * share


props = torch.cuda.get_device_properties(0)
print(f"device: {props.name}, {props.multi_processor_count} SMs, {props.total_memory / 2**30:.0f} GiB; torch {torch.__version__}, CUDA {torch.version.cuda}", flush=True)
add(kind="device", note=f"{props.name}; {props.multi_processor_count} SMs; torch {torch.__version__}; CUDA {torch.version.cuda}")

# ---- copy ---------------------------------------------------------------------------------------
try:
    n = 2 * 2**30 // 2
    a = torch.empty(n, dtype=torch.bfloat16, device=dev)
    b = torch.empty_like(a)
    t = time_us(lambda: b.copy_(a))
    gbps = 2 * a.numel() * 2 / (t * 1e-6) / 1e9
    add(kind="copy", dtype="bf16", m=a.numel(), time_us=f"{t:.2f}", gbps=f"{gbps:.1f}", note="bytes read + written")
    print(f"copy 2 GiB: {t:.0f} us, {gbps:.0f} GB/s (read + write)", flush=True)
    del a, b
except Exception as ex:  # noqa: BLE001
    add(kind="copy", note=f"error: {ex}")
    print("copy failed:", ex, flush=True)
write_rows()

# ---- GEMMs --------------------------------------------------------------------------------------
# (model, layer, N, K): y[M,N] = x[M,K] @ W[K,N]
SHAPES = [
    ("llama-3.1-8b-tp1", "qkv", 6144, 4096),
    ("llama-3.1-8b-tp1", "o", 4096, 4096),
    ("llama-3.1-8b-tp1", "gate_up", 28672, 4096),
    ("llama-3.1-8b-tp1", "down", 4096, 14336),
    ("llama-3.1-8b-tp1", "lm_head", 128256, 4096),
    ("llama-3.1-70b-tp4", "qkv", 2560, 8192),
    ("llama-3.1-70b-tp4", "o", 8192, 2048),
    ("llama-3.1-70b-tp4", "gate_up", 14336, 8192),
    ("llama-3.1-70b-tp4", "down", 8192, 7168),
    ("qwen3-32b-tp2", "qkv", 5120, 5120),
    ("qwen3-32b-tp2", "gate_up", 25600, 5120),
    ("qwen3-32b-tp2", "down", 5120, 12800),
]
MS = [1, 4, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]
if args.quick:
    SHAPES = SHAPES[:2]
    MS = [1, 64, 1024]


def gemm_row(dtype, model, layer, m, n, k, t):
    flops = 2.0 * m * n * k
    wbytes = n * k * (2 if dtype == "bf16" else 1)
    abytes = (m * k * (2 if dtype == "bf16" else 1)) + m * n * 2
    add(kind="gemm", dtype=dtype, model=f"{model}:{layer}", m=m, n=n, k=k, time_us=f"{t:.3f}",
        tflops=f"{flops / (t * 1e-6) / 1e12:.2f}", gbps=f"{(wbytes + abytes) / (t * 1e-6) / 1e9:.1f}")


fp8_ok = hasattr(torch, "_scaled_mm") and hasattr(torch, "float8_e4m3fn")
for model, layer, n, k in SHAPES:
    if out_of_time(0.45):
        print("gemm: budget reached, skipping the rest", flush=True)
        break
    try:
        w = torch.randn(n, k, dtype=torch.bfloat16, device=dev) * 0.02  # [N, K] as stored by frameworks
        w8 = w.to(torch.float8_e4m3fn) if fp8_ok else None
        one = torch.tensor(1.0, device=dev)
        for m in MS:
            x = torch.randn(m, k, dtype=torch.bfloat16, device=dev)
            t = time_us(lambda: torch.mm(x, w.t()))
            gemm_row("bf16", model, layer, m, n, k, t)
            if w8 is not None:
                mp = max(m, 16)  # fp8 cuBLASLt wants dimensions that are multiples of 16; engines pad M likewise
                x8 = torch.randn(mp, k, dtype=torch.bfloat16, device=dev).to(torch.float8_e4m3fn)
                try:
                    t8 = time_us(lambda: torch._scaled_mm(x8, w8.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16))
                    gemm_row("fp8", model, layer, m, n, k, t8)
                except Exception as ex:  # noqa: BLE001
                    add(kind="gemm", dtype="fp8", model=f"{model}:{layer}", m=m, n=n, k=k, note=f"error: {ex}"[:200])
                    w8 = None
        print(f"gemm {model}:{layer} N={n} K={k}: done at {elapsed():.0f} s", flush=True)
        del w, w8
    except Exception as ex:  # noqa: BLE001
        add(kind="gemm", model=f"{model}:{layer}", note=f"error: {ex}"[:200])
        print("gemm failed:", model, layer, ex, flush=True)
    write_rows()

# ---- attention ----------------------------------------------------------------------------------
HQ, HKV, D = 32, 8, 128


def sdpa(q, k, v, causal):
    try:
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=True)
    except TypeError:
        rep = q.shape[1] // k.shape[1]
        return F.scaled_dot_product_attention(q, k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1), is_causal=causal)


for s_len in ([512, 1024, 2048, 4096, 8192, 16384] if not args.quick else [1024]):
    if out_of_time(0.55):
        break
    try:
        q = torch.randn(1, HQ, s_len, D, dtype=torch.bfloat16, device=dev)
        kk = torch.randn(1, HKV, s_len, D, dtype=torch.bfloat16, device=dev)
        vv = torch.randn_like(kk)
        t = time_us(lambda: sdpa(q, kk, vv, True))
        flops = 4.0 * HQ * D * s_len * (s_len + 1) / 2  # QK^T and PV over the causal pairs
        add(kind="attn_prefill", dtype="bf16", model="gqa-32-8-128", m=s_len, batch=1, context=s_len, time_us=f"{t:.2f}",
            tflops=f"{flops / (t * 1e-6) / 1e12:.2f}", note="torch SDPA causal, one sequence")
        print(f"attn prefill S={s_len}: {t:.0f} us, {flops / (t * 1e-6) / 1e12:.0f} TFLOP/s", flush=True)
    except Exception as ex:  # noqa: BLE001
        add(kind="attn_prefill", m=s_len, note=f"error: {ex}"[:200])
        print("attn prefill failed:", ex, flush=True)
write_rows()

for batch in ([1, 8, 32, 128] if not args.quick else [8]):
    for ctx in ([1024, 4096, 16384] if not args.quick else [4096]):
        if out_of_time(0.62):
            break
        try:
            q = torch.randn(batch, HQ, 1, D, dtype=torch.bfloat16, device=dev)
            kk = torch.randn(batch, HKV, ctx, D, dtype=torch.bfloat16, device=dev)
            vv = torch.randn_like(kk)
            t = time_us(lambda: sdpa(q, kk, vv, False))
            kv_bytes = 2 * batch * HKV * ctx * D * 2
            add(kind="attn_decode", dtype="bf16", model="gqa-32-8-128", m=batch, batch=batch, context=ctx, time_us=f"{t:.2f}",
                gbps=f"{kv_bytes / (t * 1e-6) / 1e9:.1f}", note="torch SDPA, one query per sequence, contiguous KV")
            del q, kk, vv
        except Exception as ex:  # noqa: BLE001
            add(kind="attn_decode", batch=batch, context=ctx, note=f"error: {ex}"[:200])
            print("attn decode failed:", ex, flush=True)
print(f"attention done at {elapsed():.0f} s", flush=True)
write_rows()

# ---- whole forward passes of a Llama-3.1-8B-shaped model -----------------------------------------
H, INTER, LAYERS, VOCAB = 4096, 14336, 32, 128256


class Model:
    def __init__(self, max_batch, max_ctx):
        g = lambda *s: torch.randn(*s, dtype=torch.bfloat16, device=dev) * 0.02  # noqa: E731
        self.layers = [dict(qkv=g(6144, H), o=g(H, H), gu=g(2 * INTER, H), down=g(H, INTER),
                            n1=torch.ones(H, dtype=torch.bfloat16, device=dev), n2=torch.ones(H, dtype=torch.bfloat16, device=dev))
                       for _ in range(LAYERS)]
        self.lm = g(VOCAB, H)
        self.nf = torch.ones(H, dtype=torch.bfloat16, device=dev)
        # One KV cache shared by all layers (a per-layer cache at B=256, 4k context would need 137 GB): every
        # layer still reads B x ctx tokens of K and V from device memory, far more than the 50 MB L2 holds.
        kc = torch.zeros(max_batch, HKV, max_ctx, D, dtype=torch.bfloat16, device=dev)
        vc = torch.zeros(max_batch, HKV, max_ctx, D, dtype=torch.bfloat16, device=dev)
        self.kc = [kc] * LAYERS
        self.vc = [vc] * LAYERS

    @staticmethod
    def rms(x, w):
        return F.rms_norm(x, (x.shape[-1],), w, 1e-5)

    def decode(self, x, ctx):
        """x: [B, H] hidden states of B sequences, each over a KV cache of ctx tokens (static shapes)."""
        b = x.shape[0]
        for li, L in enumerate(self.layers):
            h = self.rms(x, L["n1"])
            qkv = h @ L["qkv"].t()
            q = qkv[:, :H].view(b, HQ, 1, D)
            k = qkv[:, H:H + HKV * D].view(b, HKV, 1, D)
            v = qkv[:, H + HKV * D:].view(b, HKV, 1, D)
            self.kc[li][:b, :, ctx - 1:ctx].copy_(k)
            self.vc[li][:b, :, ctx - 1:ctx].copy_(v)
            a = sdpa(q, self.kc[li][:b, :, :ctx], self.vc[li][:b, :, :ctx], False).reshape(b, H)
            x = x + a @ L["o"].t()
            h = self.rms(x, L["n2"])
            gu = h @ L["gu"].t()
            x = x + (F.silu(gu[:, :INTER]) * gu[:, INTER:]) @ L["down"].t()
        return self.rms(x, self.nf) @ self.lm.t()

    def prefill(self, x):
        """x: [S, H] one sequence of S prompt tokens (causal attention, logits of the last token)."""
        s = x.shape[0]
        for L in self.layers:
            h = self.rms(x, L["n1"])
            qkv = h @ L["qkv"].t()
            q = qkv[:, :H].view(s, HQ, D).transpose(0, 1).unsqueeze(0)
            k = qkv[:, H:H + HKV * D].view(s, HKV, D).transpose(0, 1).unsqueeze(0)
            v = qkv[:, H + HKV * D:].view(s, HKV, D).transpose(0, 1).unsqueeze(0)
            a = sdpa(q, k, v, True).squeeze(0).transpose(0, 1).reshape(s, H)
            x = x + a @ L["o"].t()
            h = self.rms(x, L["n2"])
            gu = h @ L["gu"].t()
            x = x + (F.silu(gu[:, :INTER]) * gu[:, INTER:]) @ L["down"].t()
        return self.rms(x[-1:], self.nf) @ self.lm.t()


if not out_of_time(0.7):
    try:
        batches = [1, 8, 32, 64, 128, 256] if not args.quick else [1, 32]
        contexts = [1024, 4096] if not args.quick else [1024]
        model = Model(max(batches), max(contexts))
        with torch.inference_mode():
            for ctx in contexts:
                for b in batches:
                    if out_of_time(0.85):
                        break
                    x = torch.randn(b, H, dtype=torch.bfloat16, device=dev)
                    model.decode(x, ctx)  # warm-up outside the graph
                    torch.cuda.synchronize()
                    graph = torch.cuda.CUDAGraph()
                    with torch.cuda.graph(graph):
                        model.decode(x, ctx)
                    t = time_us(graph.replay, warmup=3, min_iters=10, target_ms=80.0)
                    add(kind="step_decode", dtype="bf16", model="llama-3.1-8b-shape", m=b, batch=b, context=ctx, time_us=f"{t:.1f}",
                        note="32 layers + lm_head, CUDA graph, torch SDPA, contiguous KV")
                    print(f"decode step B={b} ctx={ctx}: {t / 1000:.2f} ms", flush=True)
                    del graph
            for s_len in ([512, 2048, 8192] if not args.quick else [512]):
                if out_of_time(0.92):
                    break
                x = torch.randn(s_len, H, dtype=torch.bfloat16, device=dev)
                t = time_us(lambda: model.prefill(x), warmup=2, min_iters=5, target_ms=60.0)
                add(kind="step_prefill", dtype="bf16", model="llama-3.1-8b-shape", m=s_len, batch=1, context=s_len, time_us=f"{t:.1f}",
                    note="32 layers + lm_head of the last token, eager, torch SDPA causal")
                print(f"prefill S={s_len}: {t / 1000:.2f} ms", flush=True)
        del model
    except Exception as ex:  # noqa: BLE001
        add(kind="step", note=f"error: {ex}"[:200])
        print("model steps failed:", ex, flush=True)
write_rows()

# ---- summary ------------------------------------------------------------------------------------
print(f"\n{len(rows)} rows in {OUT_PATH}, {elapsed():.0f} s", flush=True)
for r in rows:
    if r.get("kind") == "gemm" and r.get("m") in (1, 64, 1024, 8192) and r.get("time_us"):
        print(f"{r['dtype']:>4} {r['model']:<28} M={r['m']:<5} {float(r['time_us']):9.1f} us {r['tflops']:>8} TFLOP/s {r['gbps']:>8} GB/s")
errors = [r for r in rows if str(r.get("note", "")).startswith("error")]
for r in errors:
    print("ERROR", r["kind"], r.get("model", ""), r["note"][:160])
sys.exit(0)
