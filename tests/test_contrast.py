"""Every text colour on its background meets WCAG 2 AA (contrast 4.5:1 or more), in the gap
workbook, the evidence template and the HTML report, computed from the files written.

The HTML check is conservative: every text colour the page declares (CSS ``color`` and
``fill`` of text, inline ``style`` colours) against every background it declares, and white.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from test_html import EXAMPLES, assess_pack, render

AA = 4.5
WHITE = "FFFFFF"
BLACK = "000000"


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``RRGGBB`` (or ``#rgb``, ``#rrggbb``, ``AARRGGBB``)."""
    hexa = colour.lstrip("#")
    if len(hexa) == 3:
        hexa = "".join(ch * 2 for ch in hexa)
    hexa = hexa[-6:]
    channels = [int(hexa[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(text: str, background: str) -> float:
    light, dark = sorted((luminance(text), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_against_wcag_examples() -> None:
    assert contrast("000000", "FFFFFF") == pytest.approx(21.0)
    assert contrast("#777", "#fff") == pytest.approx(4.48, abs=0.01)  # WCAG's borderline grey
    assert contrast("#ef6c00", "#f4f6f8") == pytest.approx(2.84, abs=0.01)  # the old orange


def _workbook_pairs(path: Path) -> list[tuple[str, str, str]]:
    """(where, text colour, background) of every cell with text or a fill, and of every
    conditional fill (drawn under the cell's own text colour)."""
    import openpyxl

    pairs = []
    for ws in openpyxl.load_workbook(path):
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill
                background = WHITE
                if fill is not None and fill.fill_type == "solid" and isinstance(
                        fill.fgColor.rgb, str):
                    background = fill.fgColor.rgb
                elif c.value is None:
                    continue
                font = c.font.color.rgb if c.font and c.font.color is not None else None
                text = font if isinstance(font, str) else BLACK
                pairs.append((f"{ws.title}!{c.coordinate}", text, background))
        for rules in ws.conditional_formatting:
            for rule in rules.rules:
                fill = rule.dxf.fill if rule.dxf is not None else None
                if fill is not None and isinstance(fill.bgColor.rgb, str):
                    pairs.append((f"{ws.title} conditional {rules.sqref}", BLACK,
                                  fill.bgColor.rgb))
    return pairs


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from audit.cli import main

    out = tmp_path_factory.mktemp("contrast")
    pack = str(EXAMPLES / "after-remediation")
    runs = {"en.xlsx": ["assess", pack, "-c", "iq.telegram-2023", "-c", "eu.gdpr"],
            "ar.xlsx": ["assess", pack, "-c", "iq.telegram-2023", "-c", "eu.gdpr", "--lang",
                        "ar"],
            "template.xlsx": ["template", "-c", "iq.telegram-2023", "-c", "eu.gdpr"]}
    for name, args in runs.items():
        with pytest.raises(SystemExit) as done:
            main([*args, "-q", "-o", str(out / name)] if args[0] == "assess"
                 else [*args, "-o", str(out / name)])
        assert done.value.code == 0, args
    return [out / name for name in runs]


def test_every_workbook_colour_pair_meets_aa(workbooks: list[Path]) -> None:
    checked = 0
    for path in workbooks:
        for where, text, background in _workbook_pairs(path):
            assert contrast(text, background) >= AA, (path.name, where, text, background)
            checked += 1
    assert checked > 500


def _html_colours(html: str) -> tuple[set[str], set[str]]:
    """The text colours and the backgrounds a page declares, custom properties resolved."""
    style = "\n".join(re.findall(r"<style>(.*?)</style>", html, re.S))
    variables = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})", style))

    def resolve(value: str) -> str | None:
        value = value.strip()
        found = re.fullmatch(r"var\((--[\w-]+)\)", value)
        value = variables.get(found.group(1), "") if found else value
        return value if re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", value) else None

    texts, backgrounds = set(), {"#ffffff"}
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", style):
        for prop, value in re.findall(r"(?<![\w-])(color|background|fill)\s*:\s*([^;]+)", body):
            colour = resolve(value)
            if colour is None:
                continue
            if prop == "background":
                backgrounds.add(colour)
            elif prop == "color" or "chart" in selector or "tick" in selector:
                texts.add(colour)  # a chart's fill is the colour of its text
    for value in re.findall(r'style="color:\s*([^;"]+)', html):
        colour = resolve(value)
        if colour is not None:
            texts.add(colour)
    for value in re.findall(r'<text[^>]*\bfill="(#[0-9a-fA-F]{3,6})"', html):
        texts.add(value)
    return texts, backgrounds


@pytest.mark.parametrize("pack", ["before-negotiation", "after-remediation"])
def test_every_html_colour_pair_meets_aa(pack: str) -> None:
    html: Any = render(assess_pack(EXAMPLES / pack))
    texts, backgrounds = _html_colours(html)
    assert len(texts) >= 10 and len(backgrounds) >= 8  # the palette was read
    failing = [(t, b, round(contrast(t, b), 2)) for t in texts for b in backgrounds
               if contrast(t, b) < AA]
    assert not failing
