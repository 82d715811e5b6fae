"""Charts drawn on the server as SVG with pygal: no JavaScript, readable offline and in print.

Pages show them as `<img>` (with a text alternative and the numbers in a table next to them). The SVG
carries pygal's own `<style>`, so its response gets a policy allowing that and nothing else; pygal's
tooltip `<script>` is removed. Features draw their own charts with `chart_config`, `render` and
`svg_response` (results: the public indicators; municipalities: a town's progress).
"""
from __future__ import annotations

import re

from flask import Response
from flask_babel import format_decimal
from flask_babel import gettext as _
from pygal.style import Style

COLOURS = ("#0b5d3b", "#e07a00", "#2f6db5", "#b5322f", "#6b4fa0", "#4f8f2f", "#8a6d00", "#00838f")
STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1e1e1e", foreground_strong="#000000",
    foreground_subtle="#6c757d", opacity=".85", opacity_hover=".95", colors=COLOURS,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
    title_font_size=18, label_font_size=13, major_label_font_size=13, legend_font_size=14,
    value_font_size=12, value_label_font_size=12, tooltip_font_size=12)
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def chart_number(value) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.#")


def chart_config(**extra) -> dict:
    config = dict(style=STYLE, width=900, height=420, js=[], disable_xml_declaration=False,
                  legend_at_bottom=True, legend_at_bottom_columns=3, print_values=False, truncate_legend=-1,
                  truncate_label=-1, no_data_text=_("No data yet"), value_formatter=chart_number, margin_bottom=10)
    config.update(extra)
    return config


def render(chart) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def svg_response(svg: str) -> Response:
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["Cache-Control"] = "no-cache"
    return response
