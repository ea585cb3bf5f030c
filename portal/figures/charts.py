"""Server-drawn bar charts: geometry only; the template writes the SVG, the numbers on the
bars and the data table beside it, so nothing needs JavaScript to be read."""

from __future__ import annotations

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 600, 200, 22, 26, 8


def bar_chart(points: list[tuple[str, float | None]]) -> dict:
    """Bars for values between 0 and 1 (a rate); a missing value leaves a gap."""
    count = max(len(points), 1)
    slot = (WIDTH - LEFT) / count
    plot = HEIGHT - TOP - BOTTOM
    bars = []
    for index, (label, value) in enumerate(points):
        height = 0 if value is None else max(1.0, plot * min(max(value, 0.0), 1.0))
        x = LEFT + index * slot + slot * 0.15
        bars.append({"label": label, "value": value, "x": round(x, 1),
                     "width": round(slot * 0.7, 1), "y": round(TOP + plot - height, 1),
                     "height": round(height, 1), "centre": round(x + slot * 0.35, 1)})
    return {"width": WIDTH, "height": HEIGHT, "baseline": HEIGHT - BOTTOM, "bars": bars,
            "label_y": HEIGHT - 8}
