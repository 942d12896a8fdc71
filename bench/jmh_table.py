#!/usr/bin/env python3
"""Turns JMH JSON results of RnnBenchmark (and friends) into the README's Markdown tables.

Usage: python3 bench/jmh_table.py RESULT.json [RESULT.json ...] [measured peak GFLOP/s]
       (the default run writes bench/target/jmh-result.json, jmh-training.json and jmh-reference.json)

Per row: benchmark, shape, implementation, median time of the measurement iterations, GFLOP/s
(forward = 2*T*B*H*(I+H)*G, forward+backward = 3x that; T = 64, I = H, G = 1, 4, 3), percent of the 117 GFLOP/s
single-core FP32 FMA peak quoted in shared/DESIGN.md, optionally percent of a peak measured in the
same sitting (PeakBenchmark), allocation per operation from -prof gc, and the ratio of the
reference's time to this row's (same benchmark and shape).
"""
import json
import statistics
import sys

PEAK = 117.0
STEPS = 64


GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}


def flops(name, b, h, cell="rnn_tanh"):
    fwd = 2.0 * STEPS * b * h * (h + h) * GATES[cell]
    return fwd if name == "forward" else 3.0 * fwd  # forwardBackward and forwardBackwardLastStep


products = {}  # ProductBenchmark: {(product, H, G): median seconds}, filled by read_results


def product_shape(product, h, g):
    """(m, n, k) of a ProductBenchmark product: T*B = 4096 rows for the big ones, stepB for a step at batch B."""
    big = {"input": (4096, g * h, h), "weightGradient": (h, g * h, 4096), "inputGradient": (4096, h, g * h)}
    return big[product] if product in big else (int(product[4:]), g * h, h)


def read_results(paths):
    """{(cell, benchmark, B, H, impl): (median seconds, B/op)} and {(B, impl): (median steps/s, B/op)}."""
    rows = {}
    steps = {}
    products.clear()
    for r in [r for path in paths for r in json.load(open(path))]:
        name = r["benchmark"].rsplit(".", 1)[1]
        p = r.get("params", {})
        if name == "trainStep":  # throughput of the character model's training step
            raw = [v for fork in r["primaryMetric"]["rawData"] for v in fork]
            alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
            steps[(int(p["batch"]), p["impl"])] = (statistics.median(raw), alloc)
            continue
        if name == "multiply":  # ProductBenchmark: one matrix product, 2*m*n*k FLOPs
            raw = [v for fork in r["primaryMetric"]["rawData"] for v in fork]
            scale = {"ms/op": 1e-3, "us/op": 1e-6, "s/op": 1.0, "ns/op": 1e-9}[r["primaryMetric"]["scoreUnit"]]
            products[(p["product"], int(p["hidden"]), int(p["gates"]))] = statistics.median(raw) * scale
            continue
        b, h, impl = int(p["batch"]), int(p["hidden"]), p["impl"]
        cell = p.get("cell", "rnn_tanh")
        if p.get("weightScale", "1") not in ("1", "1.0"):
            cell += "@x" + p["weightScale"]
        unit = r["primaryMetric"]["scoreUnit"]
        scale = {"ms/op": 1e-3, "us/op": 1e-6, "s/op": 1.0, "ns/op": 1e-9}[unit]
        raw = [v for fork in r["primaryMetric"]["rawData"] for v in fork]
        seconds = statistics.median(raw) * scale
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        rows[(cell, name, b, h, impl)] = (seconds, alloc)
    return rows, steps


def main(paths, measured=None):
    rows, steps = read_results(paths)
    if rows:
        extra = " %% of %.0f |" % measured if measured else ""
        print("| cell | benchmark | B | I = H | impl | median ms | GFLOP/s | %% of %.0f |%s B/op | vs reference |" % (PEAK, extra))
        print("|---|---|---:|---:|---|---:|---:|---:|" + ("---:|" if measured else "") + "---:|---:|")
        for (cell, name, b, h, impl), (sec, alloc) in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2], kv[0][3], kv[0][4] != "simd")):
            gflops = flops(name, b, h, cell.split("@")[0]) / sec / 1e9
            ref = rows.get((cell, name, b, h, "reference"))
            ratio = "%.1fx" % (ref[0] / sec) if ref else "-"
            a = "-" if alloc is None else "%.0f" % alloc
            m = " %.0f%% |" % (100 * gflops / measured) if measured else ""
            print("| %s | %s | %d | %d | %s | %.3f | %.1f | %.0f%% |%s %s | %s |" % (cell, name, b, h, impl, sec * 1e3, gflops, 100 * gflops / PEAK, m, a, ratio))
    if products:
        extra = " %% of %.0f |" % measured if measured else ""
        print("| product | H | G | m x n x k | median us | GFLOP/s |%s" % (extra or ""))
        print("|---|---:|---:|---|---:|---:|" + ("---:|" if measured else ""))
        order = ["step1", "step32", "step64", "input", "weightGradient", "inputGradient"]
        for (prod, h, g), sec in sorted(products.items(), key=lambda kv: (order.index(kv[0][0]) if kv[0][0] in order else 99, kv[0][1], kv[0][2])):
            m, n, k = product_shape(prod, h, g)
            gf = 2.0 * m * n * k / sec / 1e9
            pct = " %.0f%% |" % (100 * gf / measured) if measured else ""
            print("| %s | %d | %d | %d x %d x %d | %.1f | %.1f |%s" % (prod, h, g, m, n, k, sec * 1e6, gf, pct))
    if steps:
        print()
        print("| character model step (H = 100, V = 80, T = 25) | B | impl | median steps/s | stream steps/s | B/op | vs reference |")
        print("|---|---:|---|---:|---:|---:|---:|")
        for (b, impl), (rate, alloc) in sorted(steps.items(), key=lambda kv: (kv[0][0], kv[0][1] != "simd")):
            ref = steps.get((b, "reference"))
            ratio = "%.1fx" % (rate / ref[0]) if ref else "-"
            a = "-" if alloc is None else "%.1f" % alloc
            print("| trainStep | %d | %s | %.0f | %.0f | %s | %s |" % (b, impl, rate, rate * b, a, ratio))


if __name__ == "__main__":
    files = [a for a in sys.argv[1:] if a.endswith(".json")] or ["bench/target/jmh-result.json"]
    numbers = [float(a) for a in sys.argv[1:] if not a.endswith(".json")]
    main(files, numbers[0] if numbers else None)
