#!/usr/bin/python3
"""Plot the Grafana dashboard's panels from a Prometheus run, without Grafana.

    scripts/plot-dashboard.py SERIES_JSON OUT_PNG

SERIES_JSON is what the end-to-end test test_zz_prometheus_dashboard.py writes
($STACK_DIR/prometheus-dashboard/series.json): for every query of every panel of
chart/dashboards/hpcspawner.json, Prometheus' query_range answer over the test's run. OUT_PNG gets
one picture with a plot per panel, in the dashboard's order, lines named by the panel's legend
format and the y axis in the panel's unit. Needs python3-matplotlib (Debian). Exit status 2 when
the input holds no panel.
"""

import json
import math
import re
import sys
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parent.parent / "chart" / "dashboards" / "hpcspawner.json"
UNITS = {"s": "seconds", "reqps": "calls per second", "short": ""}


def legend(template, metric):
    """Grafana's {{label}} legend format applied to one series' labels."""
    text = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: metric.get(m.group(1), ""), template or "")
    return text or ",".join(f"{k}={v}" for k, v in sorted(metric.items()) if k not in ("job", "instance")) or "total"


def panel_units():
    try:
        panels = json.loads(DASHBOARD.read_text())["panels"]
    except (OSError, ValueError, KeyError):
        return {}
    return {p["title"]: p.get("fieldConfig", {}).get("defaults", {}).get("unit", "") for p in panels}


def by_panel(series):
    panels = OrderedDict()
    for query in series:
        panels.setdefault(query["panel"], []).append(query)
    return panels


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    series = json.loads(Path(argv[1]).read_text())
    panels = by_panel(series)
    if not panels:
        print(f"plot-dashboard: {argv[1]} holds no panel", file=sys.stderr)
        return 2
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    units = panel_units()
    cols = 3
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6 * cols, 3.2 * rows), squeeze=False)
    for ax, (title, queries) in zip(axes.flat, panels.items()):
        drawn = 0
        for q in queries:
            for s in q["result"]:
                points = [(datetime.fromtimestamp(t, timezone.utc), float(v)) for t, v in s["values"]]
                points = [(t, v) for t, v in points if math.isfinite(v)]
                if points:
                    ax.plot([t for t, _ in points], [v for _, v in points], label=legend(q["legend"], s["metric"]))
                    drawn += 1
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(UNITS.get(units.get(title, ""), units.get(title, "")), fontsize=8)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M:%S", tz=timezone.utc))
        ax.tick_params(labelsize=7)
        if drawn:
            ax.legend(fontsize=7, loc="upper left")
        else:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.suptitle("hpcspawner dashboard, plotted from Prometheus (UTC)", fontsize=12)
    fig.tight_layout()
    fig.savefig(argv[2], dpi=90)
    print(f"plot-dashboard: {len(panels)} panels -> {argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
