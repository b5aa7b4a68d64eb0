"""The charts the report draws itself (flowables): the 2.4 GHz channel occupancy bars."""

from __future__ import annotations

import numpy as np
from reportlab.lib import colors
from reportlab.platypus import Flowable

from survey.report.fonts import draw_string
from survey.report.styles import ACCENT


class OccupancyChart(Flowable):
    """Bars of networks per 2.4 GHz channel: all heard (light) and those at >= -82 dBm (dark).

    Drawn straight on the canvas with the embedded fonts (reportlab.graphics would register
    an unembedded Helvetica as its initial font)."""

    def __init__(self, occupancy, target_channel: int | None, width: float, height: float = 120):
        super().__init__()
        self.occupancy = occupancy
        self.target_channel = target_channel
        self.width = width
        self.height = height

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        c = self.canv
        left, bottom, top = 28, 18, 14
        plot_w, plot_h = self.width - left - 10, self.height - bottom - top
        max_count = max([o.bss_count for o in self.occupancy] + [1])
        ymax = max(4, int(np.ceil(max_count / 2.0) * 2))
        bar_w = plot_w / len(self.occupancy)
        c.setLineWidth(0.4)
        for tick in range(0, ymax + 1, max(1, ymax // 4)):
            y = bottom + tick / ymax * plot_h
            c.setStrokeColor(colors.HexColor("#dddddd"))
            c.line(left, y, left + plot_w, y)
            c.setFillColor(colors.black)
            draw_string(c, left - 4, y - 2.5, str(tick), 7, anchor="end")
        for i, occ in enumerate(self.occupancy):
            x = left + i * bar_w + bar_w * 0.15
            w = bar_w * 0.7
            h_all = occ.bss_count / ymax * plot_h
            h_strong = occ.cochannel_strong_count / ymax * plot_h
            c.setFillColor(colors.HexColor("#b8c7e0"))
            c.rect(x, bottom, w, h_all, stroke=0, fill=1)
            c.setFillColor(ACCENT)
            c.rect(x, bottom, w, h_strong, stroke=0, fill=1)
            if occ.channel == self.target_channel:
                c.setStrokeColor(colors.HexColor("#e0a800"))
                c.setLineWidth(1.6)
                c.rect(x - 1.5, bottom, w + 3, max(h_all, 4) + 1.5, stroke=1, fill=0)
                c.setLineWidth(0.4)
            c.setFillColor(colors.black)
            draw_string(
                c, x + w / 2, bottom - 10, str(occ.channel), 7.5, bold=occ.channel in (1, 6, 11), anchor="middle"
            )
        draw_string(c, left - 22, self.height - 8, "networks", 7)
        draw_string(c, left + plot_w, self.height - 8, "channel (1, 6, 11 do not overlap)", 7, anchor="end")
