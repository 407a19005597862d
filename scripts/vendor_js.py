"""Refresh the JavaScript libraries the explorer page embeds (developers only).

    python scripts/vendor_js.py            # fetch the pinned versions with `npm pack`
    python scripts/vendor_js.py --check    # verify the committed files against the manifest

Takes each package's tarball from the npm registry with ``npm pack`` (no
install scripts run), copies the minified build and the licence file into
lineage/explorer/static/vendor/, and writes manifest.json with name, version,
licence and sha256 of every file. ``pip install`` and CI never need Node: the
files are committed, and tests/test_explore_vendor.py checks them against the
manifest.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "lineage" / "explorer" / "static" / "vendor"

#: name, pinned version, licence, files to take from the package (source -> vendored name)
PACKAGES = [
    ("cytoscape", "3.35.0", "MIT",
     {"package/dist/cytoscape.min.js": "cytoscape.min.js",
      "package/LICENSE": "cytoscape.LICENSE.txt"}),
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch() -> None:
    manifest = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, version, licence, files in PACKAGES:
            out = subprocess.run(["npm", "pack", "--silent", f"{name}@{version}"], cwd=tmp,
                                 check=True, capture_output=True, text=True).stdout.split()
            with tarfile.open(Path(tmp) / out[-1]) as tar:
                for member, target in files.items():
                    data = tar.extractfile(member).read()
                    (VENDOR / target).write_bytes(data)
            manifest.append({"name": name, "version": version, "license": licence,
                             "files": {t: sha256(VENDOR / t) for t in files.values()}})
    (VENDOR / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def check() -> list[str]:
    problems = []
    for entry in json.loads((VENDOR / "manifest.json").read_text()):
        for name, digest in entry["files"].items():
            path = VENDOR / name
            if not path.exists():
                problems.append(f"{name}: missing")
            elif sha256(path) != digest:
                problems.append(f"{name}: sha256 differs from manifest.json")
    return problems


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    if parser.parse_args().check:
        bad = check()
        print("\n".join(bad) or "vendored files match manifest.json")
        sys.exit(1 if bad else 0)
    fetch()
