#!/usr/bin/env python3
"""SVG charts for the site, from JMH's JSON and the examples' output (standard library only).

Usage:
  python3 bench/jmh_chart.py gflops RESULT.json [RESULT.json ...] [--peer TORCH.txt] [--title T] > gflops.svg
      forward+backward GFLOP/s of RnnBenchmark by cell and shape: bptt4j's SIMD kernels, the scalar
      reference where it ran, and PyTorch from the text that shared/peers/torch_rnn_bench.py prints
  python3 bench/jmh_chart.py loss CHARMODEL.txt [--title T] > loss.svg
      the character model's smoothed loss against iterations, from its "iter N, loss: X" lines
"""
import re
import sys
from xml.sax.saxutils import escape

from jmh_table import flops, read_results

COLOURS = {"bptt4j SIMD": "#1f77b4", "PyTorch": "#ff7f0e", "bptt4j reference": "#7f7f7f"}
CELLS = ["rnn_tanh", "lstm", "gru"]


def peer_gflops(path):
    """{(cell, B, H): GFLOP/s} from torch_rnn_bench.py's table (its fb_ms column, our FLOP count)."""
    out = {}
    for line in open(path):
        f = line.split()
        if len(f) == 6 and f[0] in CELLS and f[1].isdigit():
            b, h, fb_ms = int(f[1]), int(f[2]), float(f[4])
            out[(f[0], b, h)] = flops("forwardBackward", b, h, f[0]) / (fb_ms * 1e-3) / 1e9
    return out


def text(x, y, s, size=12, anchor="middle", extra=""):
    return '<text x="%.1f" y="%.1f" font-size="%d" text-anchor="%s"%s>%s</text>' % (x, y, size, anchor, extra, escape(s))


def frame(width, height, body, title):
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">\n'
            '<rect width="100%%" height="100%%" fill="white"/>\n%s\n%s\n</svg>\n'
            % (width, height, width, height, text(width / 2, 22, title, 15, extra=' font-weight="bold"'), "\n".join(body)))


def axis(body, left, top, width, height, top_value, label):
    """A y axis from 0 to top_value with light grid lines; returns value -> y."""
    step = next(s for s in (5, 10, 20, 25, 50, 100, 200) if top_value / s <= 6)
    for v in range(0, int(top_value) + 1, step):
        y = top + height - height * v / top_value
        body.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (left, left + width, y, y))
        body.append(text(left - 6, y + 4, str(v), 11, "end"))
    body.append(text(14, top + height / 2, label, 12, extra=' transform="rotate(-90 14 %.1f)"' % (top + height / 2)))
    return lambda v: top + height - height * v / top_value


def gflops_chart(paths, peer, title):
    rows, _ = read_results(paths)
    series = {}
    for (cell, name, b, h, impl), (sec, _) in rows.items():
        if name == "forwardBackward" and cell in CELLS:
            label = "bptt4j SIMD" if impl == "simd" else "bptt4j reference"
            series.setdefault(label, {})[(cell, b, h)] = flops(name, b, h, cell) / sec / 1e9
    if peer:
        series["PyTorch"] = peer_gflops(peer)
        version = re.match(r"torch (\d+\.\d+)", open(peer).readline())
        peer_label = "PyTorch " + version.group(1) if version else "PyTorch"
    names = [n for n in COLOURS if n in series]
    shapes = sorted({(b, h) for s in series.values() for (_, b, h) in s})
    top_value = max(v for s in series.values() for v in s.values()) * 1.1
    panel_w, bar_w, left, top, plot_h = 40 + 46 * len(shapes), 12, 60, 60, 260
    width, height = left + len(CELLS) * (panel_w + 20) + 10, top + plot_h + 110
    body = []
    for c, cell in enumerate(CELLS):
        x0 = left + c * (panel_w + 20)
        y = axis(body, x0, top, panel_w, plot_h, top_value, "GFLOP/s, forward + backward" if c == 0 else "")
        body.append(text(x0 + panel_w / 2, top - 8, cell, 13, extra=' font-weight="bold"'))
        for i, (b, h) in enumerate(shapes):
            gx = x0 + 20 + i * 46
            for k, n in enumerate(names):
                v = series[n].get((cell, b, h))
                if v is not None:
                    body.append('<rect x="%.1f" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s %s B=%d H=%d: %.1f GFLOP/s</title></rect>'
                                % (gx + k * bar_w, y(v), bar_w - 1, y(0) - y(v), COLOURS[n], n, cell, b, h, v))
            body.append(text(gx + 18, top + plot_h + 14, "B=%d" % b, 10))
            body.append(text(gx + 18, top + plot_h + 26, "H=%d" % h, 10))
    for k, n in enumerate(names):
        lx = left + k * 170
        body.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (lx, height - 40, COLOURS[n]))
        body.append(text(lx + 18, height - 30, peer_label if n == "PyTorch" else n, 12, "start"))
    return frame(width, height, body, title)


def loss_chart(path, title):
    points = [(int(m.group(1)), float(m.group(2))) for m in (re.match(r"iter (\d+), loss: ([0-9.]+)", line) for line in open(path)) if m]
    if not points:
        sys.exit("no 'iter N, loss: X' lines in " + path)
    left, top, w, h = 70, 50, 560, 280
    body = []
    y = axis(body, left, top, w, h, max(v for _, v in points) * 1.05, "smoothed loss")
    last = points[-1][0] or 1
    xs = lambda n: left + w * n / last
    body.append('<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="%s"/>'
                % " ".join("%.1f,%.1f" % (xs(n), y(v)) for n, v in points))
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000) if last / s <= 8)
    for n in range(0, last + 1, step):
        body.append(text(xs(n), top + h + 16, str(n), 11))
    body.append(text(left + w / 2, top + h + 36, "iteration", 12))
    return frame(left + w + 30, top + h + 50, body, title)


def option(args, name, default=None):
    if name in args:
        i = args.index(name)
        value = args[i + 1]
        del args[i:i + 2]
        return value
    return default


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] not in ("gflops", "loss"):
        sys.exit(__doc__)
    kind, args = args[0], args[1:]
    peer = option(args, "--peer")
    title = option(args, "--title")
    if kind == "gflops":
        sys.stdout.write(gflops_chart(args, peer, title or "RNN training pass (T = 64, one thread)"))
    else:
        sys.stdout.write(loss_chart(args[0], title or "Character model: loss"))
