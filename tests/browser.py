"""Open a page in headless Chromium and watch it (Chrome DevTools Protocol over a pipe).

No browser-automation package: Chromium's ``--remote-debugging-pipe`` speaks
NUL-terminated JSON on file descriptors 3 (commands) and 4 (replies and
events). The harness records console messages, uncaught exceptions, log
entries and every network request, and takes a screenshot.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

SETUP_HINT = "run `sh scripts/install-test-tools.sh` (or `sh scripts/setup.sh --test`)"


def chromium() -> str:
    """The Chromium binary; fails (never skips) when the setup has not installed it."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError(f"chromium is not installed: {SETUP_HINT}")


@dataclass
class PageReport:
    """What happened while the page loaded."""

    console: list[dict] = field(default_factory=list)
    exceptions: list[dict] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    shots: dict = field(default_factory=dict)
    boxes: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries, as text."""
        out = [f"console.{m['type']}: {m.get('args')}" for m in self.console
               if m["type"] in ("error", "assert")]
        out += [f"exception: {e.get('exceptionDetails', {}).get('text')}" for e in self.exceptions]
        out += [f"log: {e['entry'].get('text')} ({e['entry'].get('url')})" for e in self.log
                if e["entry"].get("level") == "error"]
        return out


class _Pipe:
    def __init__(self, proc, write_fd: int, read_fd: int):
        self.proc, self.write_fd, self.read_fd = proc, write_fd, read_fd
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.write_fd, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise AssertionError(f"CDP {method} failed: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise AssertionError("Chromium did not answer in time")
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                raise AssertionError("Chromium closed the pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def wait_for(self, method: str, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        for e in self.events:
            if e.get("method") == method:
                return e
        while True:
            event = self._read(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event


def open_page(path: Path, *, evaluate: dict[str, str] | None = None,
              shots: dict[str, str] | None = None, width: int = 1280,
              height: int = 1000, media: str | None = None) -> PageReport:
    """Load ``path`` (a local file), wait for load, evaluate expressions, and take a
    half-scale screenshot of the element each CSS selector in ``shots`` names.
    ``media="print"`` lays the page out with its print stylesheet."""
    binary = chromium()
    profile = tempfile.mkdtemp(prefix="lineage-chromium-")
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def child_fds():
        # Chromium expects the pipe on fds 3 (read) and 4 (write)
        # via fresh copies, because a pipe end may itself sit on fd 3 or 4
        r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
        os.dup2(r, 3)
        os.dup2(w, 4)

    proc = subprocess.Popen(
        [binary, "--headless=new", "--remote-debugging-pipe", "--no-sandbox",
         "--disable-gpu", "--no-first-run", "--no-default-browser-check",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}",
         f"--window-size={width},{height}", "about:blank"],
        preexec_fn=child_fds, close_fds=False,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    pipe = _Pipe(proc, to_chrome_w, from_chrome_r)
    report = PageReport()
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target,
                                                      "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            pipe.send(f"{domain}.enable", session=session)
        pipe.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                  session=session)
        if media:
            pipe.send("Emulation.setEmulatedMedia", {"media": media}, session=session)
        pipe.events.clear()
        pipe.send("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        pipe.wait_for("Page.loadEventFired")
        time.sleep(0.3)  # let late console messages and requests arrive
        for name, expression in (evaluate or {}).items():
            res = pipe.send("Runtime.evaluate", {"expression": expression,
                                                 "returnByValue": True}, session=session)
            report.values[name] = res.get("result", {}).get("value")
        import base64
        for name, selector in (shots or {}).items():
            rect = pipe.send("Runtime.evaluate", {
                "expression": f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
                              ".getBoundingClientRect(); return [r.left + scrollX, "
                              "r.top + scrollY, r.width, r.height]; })()",
                "returnByValue": True}, session=session)["result"]["value"]
            report.boxes[name] = rect
            clip = {"x": rect[0], "y": rect[1], "width": max(rect[2], 1),
                    "height": max(min(rect[3], 1600), 1), "scale": 0.5}
            shot = pipe.send("Page.captureScreenshot", {"format": "png", "clip": clip,
                                                        "captureBeyondViewport": True},
                             session=session)
            report.shots[name] = base64.b64decode(shot["data"])
        for e in pipe.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled":
                report.console.append({"type": params["type"],
                                       "args": [a.get("value") for a in params.get("args", [])]})
            elif method == "Runtime.exceptionThrown":
                report.exceptions.append(params)
            elif method == "Log.entryAdded":
                report.log.append(params)
            elif method == "Network.requestWillBeSent":
                report.requests.append(params["request"]["url"])
        try:
            pipe.send("Browser.close", timeout=5)
        except AssertionError:
            pass
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(to_chrome_w)
        os.close(from_chrome_r)
        shutil.rmtree(profile, ignore_errors=True)
    return report


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) into rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append(bytes(line if channels == 3 else
                          b"".join(bytes(line[i:i + 3]) for i in range(0, stride, 4))))
        prev = line
    return width, height, rows


def distinct_colours(data: bytes) -> int:
    """How many distinct RGB colours a PNG has (1 for a blank picture)."""
    _, _, rows = png_pixels(data)
    seen = set()
    for row in rows[::2]:
        for px in range(0, len(row) // 3, 2):
            seen.add(row[px * 3:px * 3 + 3])
    return len(seen)


def print_pdf(path: Path, pdf: Path, *, timeout: float = 120.0) -> Path:
    """Print the local page ``path`` to ``pdf`` with Chromium's own ``--print-to-pdf``
    (A4 comes from the page's ``@page`` rule), in a fresh profile."""
    binary = chromium()
    profile = tempfile.mkdtemp(prefix="lineage-chromium-pdf-")
    try:
        subprocess.run(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--disable-extensions",
             f"--user-data-dir={profile}", "--no-pdf-header-footer",
             f"--print-to-pdf={pdf}", path.resolve().as_uri()],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert pdf.exists() and pdf.stat().st_size > 0, f"Chromium wrote no PDF for {path}"
    return pdf
