#!/usr/bin/env python3
"""Render a terminal capture (`tmux capture-pane -e -p`) to a PNG, cell by cell.

Tooling for scripts/screenshots.sh only (needs Pillow: `pip install pillow`). It understands
the SGR sequences tmux writes: bold, reverse, the 16 basic colours, 256 colours and 24-bit
colours. Usage: ansi_to_png.py CAPTURE.txt OUT.png --cols 100 --rows 30 [--light]
"""
import argparse
import re

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"

BASIC = [
    (0x1d, 0x1f, 0x21), (0xcc, 0x33, 0x33), (0x4e, 0x9a, 0x06), (0xc4, 0xa0, 0x00),
    (0x34, 0x65, 0xa4), (0x75, 0x50, 0x7b), (0x06, 0x98, 0x9a), (0xd3, 0xd7, 0xcf),
    (0x55, 0x57, 0x53), (0xef, 0x29, 0x29), (0x8a, 0xe2, 0x34), (0xfc, 0xe9, 0x4f),
    (0x72, 0x9f, 0xcf), (0xad, 0x7f, 0xa8), (0x34, 0xe2, 0xe2), (0xee, 0xee, 0xec),
]


def xterm256(n):
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


SGR = re.compile(r"\x1b\[([0-9;:]*)m")
OTHER_ESC = re.compile(r"\x1b(\[[0-9;?]*[A-Za-ln-z]|\][^\x07]*\x07|[()][A-Z0-9])")


def parse(text, cols, rows):
    """Returns rows of cells: (char, fg, bg, bold, reverse), fg/bg None for the defaults."""
    grid = []
    fg = bg = None
    bold = reverse = False
    for line in text.split("\n")[:rows]:
        line = OTHER_ESC.sub("", line)
        cells = []
        pos = 0
        for m in list(SGR.finditer(line)) + [None]:
            chunk = line[pos:m.start()] if m else line[pos:]
            for ch in chunk:
                cells.append((ch, fg, bg, bold, reverse))
            if m is None:
                break
            pos = m.end()
            params = [int(p) if p else 0 for p in re.split("[;:]", m.group(1))] or [0]
            i = 0
            while i < len(params):
                p = params[i]
                if p == 0:
                    fg = bg = None
                    bold = reverse = False
                elif p == 1:
                    bold = True
                elif p == 22:
                    bold = False
                elif p == 7:
                    reverse = True
                elif p == 27:
                    reverse = False
                elif 30 <= p <= 37:
                    fg = BASIC[p - 30]
                elif 90 <= p <= 97:
                    fg = BASIC[p - 90 + 8]
                elif 40 <= p <= 47:
                    bg = BASIC[p - 40]
                elif 100 <= p <= 107:
                    bg = BASIC[p - 100 + 8]
                elif p == 39:
                    fg = None
                elif p == 49:
                    bg = None
                elif p in (38, 48) and i + 1 < len(params):
                    if params[i + 1] == 5 and i + 2 < len(params):
                        colour = xterm256(params[i + 2])
                        i += 2
                    elif params[i + 1] == 2 and i + 4 < len(params):
                        colour = tuple(params[i + 2:i + 5])
                        i += 4
                    else:
                        colour = None
                    if p == 38:
                        fg = colour
                    else:
                        bg = colour
                i += 1
        cells = cells[:cols]
        cells += [(" ", None, None, False, False)] * (cols - len(cells))
        grid.append(cells)
    while len(grid) < rows:
        grid.append([(" ", None, None, False, False)] * cols)
    return grid


def render(grid, out, light):
    default_fg = (0x20, 0x20, 0x20) if light else (0xd0, 0xd0, 0xd0)
    default_bg = (0xfa, 0xfa, 0xf7) if light else (0x16, 0x18, 0x1c)
    size = 16
    font = ImageFont.truetype(FONT, size)
    bold_font = ImageFont.truetype(FONT_BOLD, size)
    left, top, right, bottom = font.getbbox("M")
    cw = font.getlength("M")
    ch = int(size * 1.25)
    pad = 12
    cols, rows = len(grid[0]), len(grid)
    img = Image.new("RGB", (int(cols * cw) + 2 * pad, rows * ch + 2 * pad), default_bg)
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(grid):
        for x, (c, fg, bg, bold, reverse) in enumerate(row):
            f = fg or default_fg
            b = bg or default_bg
            if reverse:
                f, b = b, f
            x0 = pad + x * cw
            y0 = pad + y * ch
            if b != default_bg:
                draw.rectangle([x0, y0, x0 + cw, y0 + ch], fill=b)
            if c != " ":
                draw.text((x0, y0 + (ch - size) // 2), c, font=bold_font if bold else font, fill=f)
    img.save(out, optimize=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("capture")
    ap.add_argument("out")
    ap.add_argument("--cols", type=int, default=100)
    ap.add_argument("--rows", type=int, default=30)
    ap.add_argument("--light", action="store_true", help="light terminal background")
    a = ap.parse_args()
    with open(a.capture, encoding="utf-8", errors="replace") as fh:
        grid = parse(fh.read().rstrip("\n"), a.cols, a.rows)
    render(grid, a.out, a.light)


if __name__ == "__main__":
    main()
