"""Writes the Pillow reference fixtures of PillowFixturesTest (run with Pillow installed, from this folder).

Every input is a PNG in pillow/; every expected output is what Pillow computes from it, also a PNG (lossless),
listed in pillow/manifest.json. Regenerate only to change the cases; the Java test reads whatever is listed.
"""
import json
import math
import random

import PIL
from PIL import Image

random.seed(20240613)
OUT = "pillow/"


def pattern(w, h, channels):
    """Noise over gradients with hard edges: exercises the negative Lanczos lobes and the 0/255 clipping."""
    data = []
    for y in range(h):
        for x in range(w):
            px = []
            for c in range(channels):
                v = (x * 255 // max(1, w - 1) + c * 85 + (y * 37 if c % 2 else 0)) % 256
                if (x // 5 + y // 4 + c) % 3 == 0:
                    v = 255 if (x + c) % 2 else 0
                v = min(255, max(0, v + random.randint(-40, 40)))
                px.append(v)
            data.append(tuple(px) if channels > 1 else px[0])
    return data


def make(mode, w, h):
    channels = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}[mode]
    im = Image.new(mode, (w, h))
    im.putdata(pattern(w, h, channels))
    return im


cases = []


def add(name, im, sizes):
    src = OUT + name + ".png"
    im.save(src)
    for (w, h) in sizes:
        out = f"{OUT}{name}_{w}x{h}.png"
        im.resize((w, h), Image.LANCZOS).save(out)
        cases.append({"op": "resize", "input": src, "width": w, "height": h, "expected": out})
        gray = f"{OUT}{name}_{w}x{h}_L.png"
        im.resize((w, h), Image.LANCZOS).convert("L").save(gray)
        cases.append({"op": "resize_then_gray", "input": src, "width": w, "height": h, "expected": gray})
    rgb = OUT + name + "_rgb.png"
    im.convert("RGB").save(rgb)
    cases.append({"op": "to_rgb", "input": src, "expected": rgb})


sizes = [(16, 16), (8, 8), (40, 23), (37, 9), (64, 48), (5, 3), (61, 35)]
add("rgb", make("RGB", 37, 23), sizes)
add("gray", make("L", 37, 23), sizes)
add("rgba", make("RGBA", 37, 23), sizes[:3])
add("la", make("LA", 29, 31), [(16, 16), (8, 8)])
palette = make("RGB", 37, 23).quantize(colors=12)
add("palette", palette, [(16, 16), (8, 8), (50, 40)])
bilevel = make("L", 37, 23).convert("1")
add("bilevel", bilevel, [(16, 16), (8, 8)])
add("rgb_large", make("RGB", 131, 97), [(128, 96), (16, 16)])

with open(OUT + "manifest.json", "w") as f:
    json.dump({"pillow_version": PIL.__version__, "cases": cases}, f, indent=1)
print(len(cases), "cases")
