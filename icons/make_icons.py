"""Draws the Farepoint icon and writes the Tauri bundle set beside this file.

Run once when the mark changes: `pip install Pillow && python3 icons/make_icons.py`.
The mark: a navy rounded square, a white "F" drawn as a fare route, an amber destination dot.
"""
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
NAVY = (16, 33, 58, 255)
WHITE = (255, 255, 255, 255)
AMBER = (242, 165, 22, 255)


def draw(size: int) -> Image.Image:
    # Draw large and downsample for clean edges at every size.
    big = size * 4
    s = big / 32
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([0, 0, big - 1, big - 1], radius=int(7 * s), fill=NAVY)
    w = int(3.4 * s)
    for (x0, y0, x1, y1) in [(9, 9, 9, 23), (9, 9, 22, 9), (9, 16, 18, 16)]:
        d.line([(x0 * s, y0 * s), (x1 * s, y1 * s)], fill=WHITE, width=w)
        for (x, y) in [(x0, y0), (x1, y1)]:
            d.ellipse([x * s - w / 2, y * s - w / 2, x * s + w / 2, y * s + w / 2], fill=WHITE)
    r = 2.8 * s
    d.ellipse([23 * s - r, 22 * s - r, 23 * s + r, 22 * s + r], fill=AMBER)
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
        draw(size).save(HERE / name)
    master = draw(1024)
    master.save(HERE / "icon.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    master.save(HERE / "icon.icns")


if __name__ == "__main__":
    main()
