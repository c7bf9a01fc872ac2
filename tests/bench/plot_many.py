#!/usr/bin/env python3
"""plot_many.py - figure 6 of the benchmarks (watching many jobs) as an SVG.

    plot_many.py figure6.csv figure6.svg [--subtitle TEXT]

Reads the CSV that tests/bench/run.sh gathers from bench_many.c's DATA lines
(columns: series, metric, n, value) and draws three panels:
  1. a cancel by another process, seen after (median, and max dashed) over
     N = 1, 10, 50, 200, for BwJobPollMany, bitswatch.exe watch (N = 200 is
     "watch --all") and the 1 s timer loop, with the targets;
  2. CPU per second of watching (watcher + BITS svchost + wineserver, % of
     one core, net of idle) over N for the same three, and the 200 quiet
     jobs as hollow marks with their target (half the loop's);
  3. a job created by another process, seen after, at N = 200: BwQueuePoll,
     watch --all --json and the 1 s EnumJobs loop (median bar, max whisker).
Python 3 standard library only.
"""
import argparse
import csv
import math
import sys
from xml.sax.saxutils import escape

SERIES = [  # key, label, colour
    ("pollmany", "BwJobPollMany", "#1f77b4"),
    ("cli", "bitswatch.exe watch (N = 200: --all)", "#ff7f0e"),
    ("loop", "1 s timer loop (raw COM)", "#7f7f7f"),
]
TARGET = "#d62728"
LAT_TARGETS = {1: 60.0, 50: 150.0, 200: 150.0}  # median, ms (issue 17)
CREATE_TARGET = 300.0


def load(path):
    data = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                data[(row["series"], row["metric"], int(row["n"]))] = float(row["value"])
            except (KeyError, ValueError):
                continue
    return data


def points(data, series, metric):
    return sorted((n, v) for (s, m, n), v in data.items() if s == series and m == metric)


class Panel:
    """A plot area with its own scales; everything is written to out."""

    def __init__(self, out, x, y, w, h, title):
        self.out, self.x, self.y, self.w, self.h = out, x, y, w, h
        out.append(f'<text x="{x + w / 2:.1f}" y="{y - 10:.1f}" text-anchor="middle" '
                   f'font-size="13" font-weight="bold">{escape(title)}</text>')
        out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="#333"/>')

    def xlog(self, lo, hi):
        self.xl, self.xh, self.xkind = math.log10(lo), math.log10(hi), "log"

    def xcat(self, n):
        self.xn, self.xkind = n, "cat"

    def ylin(self, lo, hi):
        self.yl, self.yh, self.ykind = lo, hi, "lin"

    def ylog(self, lo, hi):
        self.yl, self.yh, self.ykind = math.log10(lo), math.log10(hi), "log"

    def px(self, v):
        if self.xkind == "cat":
            return self.x + self.w * (v + 0.5) / self.xn
        pad = 0.06 * self.w
        return self.x + pad + (self.w - 2 * pad) * (math.log10(v) - self.xl) / (self.xh - self.xl)

    def py(self, v):
        if self.ykind == "log":
            v = math.log10(max(v, 10 ** self.yl))
        return self.y + self.h - self.h * (v - self.yl) / (self.yh - self.yl)

    def yticks(self, ticks, unit):
        for t in ticks:
            yy = self.py(t)
            label = f"{t:g}{unit}"
            self.out.append(f'<line x1="{self.x}" y1="{yy:.1f}" x2="{self.x + self.w}" '
                            f'y2="{yy:.1f}" stroke="#e5e5e5"/>')
            self.out.append(f'<text x="{self.x - 5}" y="{yy + 4:.1f}" text-anchor="end" '
                            f'font-size="11">{escape(label)}</text>')

    def xticks(self, ticks, labels=None):
        self.xlines = 1
        for i, t in enumerate(ticks):
            xx = self.px(t)
            label = labels[i] if labels else f"{t:g}"
            self.out.append(f'<line x1="{xx:.1f}" y1="{self.y + self.h}" x2="{xx:.1f}" '
                            f'y2="{self.y + self.h + 4}" stroke="#333"/>')
            for k, part in enumerate(label.split("\n")):  # a label may take two lines
                self.xlines = max(self.xlines, k + 1)
                self.out.append(f'<text x="{xx:.1f}" y="{self.y + self.h + 17 + 13 * k}" '
                                f'text-anchor="middle" font-size="11">{escape(part)}</text>')

    def axis_labels(self, xlabel, ylabel):
        below = self.y + self.h + 34 + 13 * (getattr(self, "xlines", 1) - 1)
        self.out.append(f'<text x="{self.x + self.w / 2:.1f}" y="{below}" '
                        f'text-anchor="middle" font-size="12">{escape(xlabel)}</text>')
        cx, cy = self.x - 46, self.y + self.h / 2
        self.out.append(f'<text x="{cx}" y="{cy}" text-anchor="middle" font-size="12" '
                        f'transform="rotate(-90 {cx} {cy})">{escape(ylabel)}</text>')

    def line(self, pts, colour, dash=None, width=2, marks=True, hollow=False):
        if not pts:
            return
        d = " ".join(f"{self.px(n):.1f},{self.py(v):.1f}" for n, v in pts)
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        if len(pts) > 1:
            self.out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" '
                            f'stroke-width="{width}"{extra}/>')
        if marks:
            for n, v in pts:
                fill = "white" if hollow else colour
                self.out.append(f'<circle cx="{self.px(n):.1f}" cy="{self.py(v):.1f}" r="3.5" '
                                f'fill="{fill}" stroke="{colour}" stroke-width="1.5"/>')

    def target_tick(self, n, v, label=None):
        xx, yy = self.px(n), self.py(v)
        self.out.append(f'<line x1="{xx - 11:.1f}" y1="{yy:.1f}" x2="{xx + 11:.1f}" '
                        f'y2="{yy:.1f}" stroke="{TARGET}" stroke-width="2.5"/>')
        if label:
            self.out.append(f'<text x="{xx - 14:.1f}" y="{yy + 4:.1f}" font-size="10" '
                            f'text-anchor="end" fill="{TARGET}">{escape(label)}</text>')


def nice_log_ticks(lo, hi):
    ticks = []
    k = math.floor(math.log10(lo))
    while 10 ** k <= hi * 1.0001:
        for m in (1, 2, 5):
            t = m * 10 ** k
            if lo * 0.9999 <= t <= hi * 1.0001:
                ticks.append(t)
        k += 1
    return ticks


def nice_step(span, count=5):
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def draw(data, subtitle):
    W, H = 1300, 480
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           '<text x="20" y="26" font-size="16" font-weight="bold">Figure 6: watching many BITS '
           'jobs under Wine 8 (BitsWatch against the 1 s timer loop, measured side by side)'
           '</text>']
    if subtitle:
        out.append(f'<text x="20" y="46" font-size="11" fill="#444">{escape(subtitle)}</text>')
    sizes = [1, 10, 50, 200]

    # 1. cancel latency over N
    lat = {k: points(data, k, "latency_median_ms") for k, _, _ in SERIES}
    latmax = {k: points(data, k, "latency_max_ms") for k, _, _ in SERIES}
    vals = [v for pts in list(lat.values()) + list(latmax.values()) for _, v in pts]
    vals += list(LAT_TARGETS.values())
    lo = 10 ** math.floor(math.log10(max(min(vals), 1) / 1.2)) if vals else 10
    hi = 10 ** math.ceil(math.log10(max(vals) * 1.2)) if vals else 10000
    p1 = Panel(out, 80, 90, 320, 300, "Cancel by another process: seen after")
    p1.xlog(1, 200)
    p1.ylog(lo, hi)
    p1.yticks(nice_log_ticks(lo, hi), "")
    p1.xticks(sizes)
    p1.axis_labels("N jobs watched (one transferring, the rest queued)",
                   "ms (median; max dashed)")
    for key, _, colour in SERIES:
        p1.line(latmax[key], colour, dash="4 3", width=1, marks=False)
        p1.line(lat[key], colour)
    for n, v in LAT_TARGETS.items():
        p1.target_tick(n, v)

    # 2. CPU over N
    cpu = {k: points(data, k, "cpu_pct") for k, _, _ in SERIES}
    quiet = {k: points(data, k, "cpu_quiet_pct") for k, _, _ in SERIES}
    vals = [v for pts in list(cpu.values()) + list(quiet.values()) for _, v in pts]
    top = max(vals + [1.0]) * 1.15
    step = nice_step(top)
    top = step * math.ceil(top / step)
    p2 = Panel(out, 490, 90, 320, 300, "CPU per second of watching")
    p2.xlog(1, 200)
    p2.ylin(min(0.0, min(vals + [0.0])), top)
    p2.yticks([i * step for i in range(int(round(top / step)) + 1)], "%")
    p2.xticks(sizes)
    p2.axis_labels("N jobs watched (hollow: 200 quiet jobs)",
                   "% of one core: watcher + svchost + wineserver")
    for key, _, colour in SERIES:
        p2.line(cpu[key], colour)
        p2.line(quiet[key], colour, marks=True, hollow=True)
    loop_quiet = dict(quiet.get("loop", []))
    if POOL_N in loop_quiet:
        p2.target_tick(POOL_N, loop_quiet[POOL_N] / 2, "target: half the loop's")

    # 3. new job seen after, N = 200
    bars = [("queuepoll", "BwQueue-\nPoll", SERIES[0][2]),
            ("queuepoll_alone", "alone", SERIES[0][2]),
            ("cli", "watch\n--all", SERIES[1][2]),
            ("cli_alone", "alone", SERIES[1][2]),
            ("loop", "1 s\nloop", SERIES[2][2])]
    bars = [b for b in bars if (b[0], "create_median_ms", POOL_N) in data or "alone" not in b[0]]
    med = {k: data.get((k, "create_median_ms", POOL_N)) for k, _, _ in bars}
    mx = {k: data.get((k, "create_max_ms", POOL_N)) for k, _, _ in bars}
    vals = [v for v in list(med.values()) + list(mx.values()) if v is not None]
    top = max(vals + [CREATE_TARGET]) * 1.15
    step = nice_step(top)
    top = step * math.ceil(top / step)
    p3 = Panel(out, 910, 90, 360, 300, "New job (another process): seen after")
    p3.xcat(len(bars))
    p3.ylin(0, top)
    p3.yticks([i * step for i in range(int(round(top / step)) + 1)], "")
    p3.xticks(range(len(bars)), [label for _, label, _ in bars])
    p3.axis_labels("N = 200; pale: alone (no loop running beside it)",
                   "ms (median bar, max whisker)")
    for i, (key, _, colour) in enumerate(bars):
        if med[key] is None:
            p3.out.append(f'<text x="{p3.px(i):.1f}" y="{p3.py(0) - 6:.1f}" font-size="10" '
                          f'text-anchor="middle">not seen</text>')
            continue
        bw = p3.w / len(bars) * 0.5
        y0, y1 = p3.py(0), p3.py(med[key])
        opacity = "0.4" if key.endswith("_alone") else "0.85"
        out.append(f'<rect x="{p3.px(i) - bw / 2:.1f}" y="{y1:.1f}" width="{bw:.1f}" '
                   f'height="{y0 - y1:.1f}" fill="{colour}" fill-opacity="{opacity}"/>')
        out.append(f'<text x="{p3.px(i):.1f}" y="{y1 - 4:.1f}" font-size="10" '
                   f'text-anchor="middle">{med[key]:.0f}</text>')
        if mx[key] is not None:
            ym = p3.py(mx[key])
            out.append(f'<line x1="{p3.px(i):.1f}" y1="{y1:.1f}" x2="{p3.px(i):.1f}" '
                       f'y2="{ym:.1f}" stroke="#333"/>')
            out.append(f'<line x1="{p3.px(i) - 6:.1f}" y1="{ym:.1f}" x2="{p3.px(i) + 6:.1f}" '
                       f'y2="{ym:.1f}" stroke="#333"/>')
    yt = p3.py(CREATE_TARGET)
    out.append(f'<line x1="{p3.x}" y1="{yt:.1f}" x2="{p3.x + p3.w}" y2="{yt:.1f}" '
               f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="6 3"/>')

    # legend
    lx, ly = 80, 462
    for key, label, colour in SERIES:
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{colour}" '
                   f'stroke-width="2"/>')
        out.append(f'<text x="{lx + 30}" y="{ly + 4}" font-size="12">{escape(label)}</text>')
        lx += 40 + 7 * len(label)
    out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{TARGET}" '
               f'stroke-width="2.5"/>')
    out.append(f'<text x="{lx + 30}" y="{ly + 4}" font-size="12">target (issue 17)</text>')
    rtt = data.get(("rtt", "getstate_ms", 1))
    if rtt is not None:
        out.append(f'<text x="{W - 20}" y="{ly + 4}" font-size="11" text-anchor="end" '
                   f'fill="#444">one GetState round trip: {rtt:.2f} ms</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


POOL_N = 200


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("svg")
    ap.add_argument("--subtitle", default="")
    a = ap.parse_args()
    data = load(a.csv)
    if not data:
        print(f"plot_many.py: no data in {a.csv}", file=sys.stderr)
        return 1
    with open(a.svg, "w", encoding="utf-8") as f:
        f.write(draw(data, a.subtitle))
    return 0


if __name__ == "__main__":
    sys.exit(main())
