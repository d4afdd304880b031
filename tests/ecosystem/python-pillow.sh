#!/usr/bin/env bash
# Pillow 11.1.0: the largest C extension code base reachable here for
# CPython (PIL._imaging and its codecs, _imagingft, _imagingcms, _webp),
# built by pip --no-index in a venv of the variant over Debian's libjpeg,
# zlib, libtiff, libwebp, OpenJPEG, FreeType and LCMS (setuptools >= 67.8
# from Debian 13's wheel); its pytest suite Tests/, all of it but the two
# in ECO_LEFT_OUT (tests whose optional modules or files are absent skip
# themselves).
. "$(dirname "$0")/lib"
ECO_RUNTIME=python ECO_RECIPE=third-party/pillow-11.1.0
ECO_TESTS="pytest Tests/ (all but two)"
ECO_LEFT_OUT="test_file_palm.py (it checks the files against ImageMagick's convert, a tool of the host), test_imagecms.py::test_long_modes (its ICC profile, Tests/icc/, is not in the release tarball)"
ECO_FORMAT=pytest
ECO_TOOLS=(third-party/python3-setuptools-whl-78.1.1 third-party/python3-pytest-8.3.5 third-party/python3-pluggy-1.5.0
  third-party/python3-iniconfig-1.1.1 third-party/python3-packaging-25.0)
ECO_OBJECTS=('_imaging\.cpython[^ ]*\.so' '_imagingft\.cpython[^ ]*\.so' 'libjpeg\.so\.62' 'libtiff\.so\.6' 'libfreetype\.so\.6')

eco_build() {
  eco_venv &&
    eco_pip --no-cache-dir --no-build-isolation --no-deps -v "$SRC" &&
    (cd / && eco_python -c 'from PIL import features; import sys
missing = [f for f in ("jpg", "zlib", "libtiff", "webp", "jpg_2000", "freetype2", "littlecms2") if not features.check(f)]
print("missing:", missing); sys.exit(bool(missing))')
}
# From the source tree, as upstream runs them: Tests/ reads its images
# there, and the installed PIL is imported (src/ is not on the path).
eco_tests() {
  eco_python -X faulthandler -m pytest -v --color=no -p no:cacheprovider Tests \
    --deselect Tests/test_file_palm.py --deselect Tests/test_imagecms.py::test_long_modes
}
eco_smoke() {
  (cd / && eco_python -c 'from PIL import Image, ImageDraw, ImageFont; import io
im = Image.new("RGB", (400, 300), "white"); ImageDraw.Draw(im).text((10, 10), "memlean", font=ImageFont.load_default(size=30))
for fmt in ("JPEG", "PNG", "TIFF", "WEBP"):
    b = io.BytesIO(); im.save(b, fmt); print(fmt, Image.open(io.BytesIO(b.getvalue())).size)')
}
eco_main
