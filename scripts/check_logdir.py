#!/usr/bin/env python3
"""Checks what a Fashion-MNIST trainer wrote to its --logdir, independently
of minitf's own readers: every event file's TFRecord framing (lengths and
masked CRC32Cs), every record decoded by protoc against
tensorboard_event.proto, the file version, the graph, the "loss" and
"test/accuracy" scalars, curves.svg as well-formed SVG, and the checkpoint's
safetensors header. Exits 1 with the reason on the first problem.

    python3 scripts/check_logdir.py /tmp/fashion_mnist_layers
"""
import glob
import json
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = _crc32c_table()


def masked_crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    c ^= 0xFFFFFFFF
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def records(path):
    data = open(path, "rb").read()
    pos = 0
    while pos < len(data):
        if len(data) - pos < 12:
            raise ValueError(f"{path}: truncated record header at {pos}")
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if masked_crc32c(header) != length_crc:
            raise ValueError(f"{path}: bad length CRC at {pos}")
        body = data[pos + 12:pos + 12 + length]
        if len(body) != length or len(data) < pos + 16 + length:
            raise ValueError(f"{path}: truncated record at {pos}")
        (body_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if masked_crc32c(body) != body_crc:
            raise ValueError(f"{path}: bad data CRC at {pos}")
        yield body
        pos += 16 + length


def protoc_decode(message, data):
    out = subprocess.run(
        ["protoc", f"--proto_path={HERE}", f"--decode=tensorflow.{message}",
         "tensorboard_event.proto"], input=data, capture_output=True, cwd=HERE)
    if out.returncode != 0:
        raise ValueError(f"protoc cannot decode a {message}: {out.stderr.decode()}")
    return out.stdout.decode()


def check_events(logdir):
    files = sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*")))
    if not files:
        raise ValueError(f"no event file in {logdir}")
    scalars = {}
    for path in files:
        events = [(r, protoc_decode("Event", r)) for r in records(path)]
        if not events or 'file_version: "brain.Event:2"' not in events[0][1]:
            raise ValueError(f"{path}: the first event is not the file version")
        graphs = 0
        for rec, text in events:
            if "graph_def:" in text:
                # protoc prints graph_def as escaped bytes: decode them too.
                graph = protoc_decode("GraphDef", graph_bytes(rec))
                if 'name: "images"' not in graph:
                    raise ValueError(f"{path}: the graph has no images node")
                graphs += 1
            step = re.search(r"^step: (\d+)", text, re.M)
            for tag, value in re.findall(
                    r'tag: "([^"]+)"\s+simple_value: ([-+0-9.eE]+|nan|inf)', text):
                scalars.setdefault(tag, []).append(
                    (int(step.group(1)) if step else 0, float(value)))
        if graphs != 1:
            raise ValueError(f"{path}: {graphs} graph events, expected 1")
    for tag in ("loss", "test/accuracy"):
        if tag not in scalars:
            raise ValueError(f"no '{tag}' scalar in the event files")
        steps = [s for s, _ in scalars[tag]]
        if steps != sorted(steps):
            raise ValueError(f"'{tag}' steps are not increasing: {steps}")
    return {tag: len(v) for tag, v in scalars.items()}


def graph_bytes(event):
    """The bytes of field 4 (graph_def) of a serialized Event."""
    pos = 0
    while pos < len(event):
        key, pos = varint(event, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = varint(event, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            n, pos = varint(event, pos)
            if field == 4:
                return event[pos:pos + n]
            pos += n
        else:
            raise ValueError(f"unexpected wire type {wire}")
    raise ValueError("no graph_def field")


def varint(data, pos):
    value, shift = 0, 0
    while True:
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, pos


def check_svg(logdir):
    root = ET.parse(os.path.join(logdir, "curves.svg")).getroot()
    if not root.tag.endswith("svg"):
        raise ValueError("curves.svg is not an SVG document")
    lines = [e for e in root.iter() if e.tag.endswith(("polyline", "path"))]
    if not lines:
        raise ValueError("curves.svg has no curve")


def check_checkpoint(logdir):
    state = open(os.path.join(logdir, "checkpoint")).read()
    name = re.search(r'model_checkpoint_path: "([^"]+)"', state).group(1)
    path = name if os.path.isabs(name) else os.path.join(logdir, name)
    if not path.endswith(".safetensors"):
        path += ".safetensors"
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    if "global_step" not in header.get("__metadata__", {}):
        raise ValueError(f"{path}: no global_step in __metadata__")
    return len(header) - 1


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    logdir = sys.argv[1]
    try:
        scalars = check_events(logdir)
        check_svg(logdir)
        tensors = check_checkpoint(logdir)
    except (OSError, ValueError, AttributeError, ET.ParseError) as e:
        sys.exit(f"check_logdir: {e}")
    print(f"check_logdir: {logdir}: event files decode with protoc "
          f"(scalars {scalars}), curves.svg parses, checkpoint has "
          f"{tensors} tensors")


if __name__ == "__main__":
    main()
