"""Import rate: N generated registry rows (default 30,000, the Met's size) through the real CLI,
`python -m chalicelib.cli --stack ... registry import`, against the stack `make run` starts (moto
server; its stream worker copies each `registry.changed` event to S3 meanwhile, as in AWS).

Every `--photo-every`th person has a small generated PNG. Checked: the summary line counts every
row as created, the registry holds them all, and a second run of the same file is all unchanged
(and is timed too: it reads in bulk and writes nothing). Too slow for `make bench` at full size
(minutes); run it alone:

    python bench/import_rows.py [--rows 30000] [--photo-every 10]

The rate is the local stack's (one moto server, every call over HTTP, no throttling): in AWS the
Cognito request-rate quotas set the pace (botocore's adaptive retry mode keeps the import under them).
"""

from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import PROJECT, save_result, table

HEAD = "officer_id,given_name,family_name,rank,role,status,phone,email,duty,photo"


def tiny_png(seed: int) -> bytes:
    """An 8x8 PNG in a colour of its own (so each photo has its own hash)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    pixel = bytes([seed % 251, (seed // 251) % 251, 128])
    raw = b"".join(b"\0" + pixel * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def write_file(folder: Path, rows: int, photo_every: int) -> tuple[Path, Path, int]:
    """The CSV and its photo folder: 1 in 20 a sergeant (with a phone), a few suspended or left."""
    photos = folder / "photos"
    photos.mkdir()
    lines, with_photo = [HEAD], 0
    for i in range(rows):
        sergeant = i % 20 == 0
        role, rank = ("sergeant", "PS") if sergeant else ("officer", "PC")
        status = "suspended" if i % 97 == 0 else "left" if i % 211 == 0 else "serving"
        phone = f"+4477009{i:05d}" if sergeant or i % 3 == 0 else ""
        photo = ""
        if photo_every and i % photo_every == 0:
            photo = f"b{i:05d}.png"
            (photos / photo).write_bytes(tiny_png(i))
            with_photo += 1
        duty = "off_duty" if sergeant else ""
        lines.append(f"BX{i:05d},Given{i},Family{i},{rank},{role},{status},{phone},bx{i:05d}@met.police.uk,{duty},{photo}")
    csv_file = folder / "registry.csv"
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return csv_file, photos, with_photo


def run_import(stack_file: Path, csv_file: Path, photos: Path) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "chalicelib.cli", "--stack", str(stack_file), "registry", "import", "--force", "met",
         str(csv_file), "--photos", str(photos)],
        cwd=PROJECT, env=env, stdout=subprocess.PIPE, text=True, timeout=3 * 3600,
    )
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"registry import failed ({done.returncode}):\n{done.stdout}")
    return elapsed, done.stdout.splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--photo-every", type=int, default=10, help="every Nth person has a photo (0: none)")
    args = parser.parse_args()

    from tests.e2e.conftest import _run_stack

    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    csv_file, photos, with_photo = write_file(work, args.rows, args.photo_every)
    state = work / "stack"
    state.mkdir()
    running = _run_stack(state)
    stack = next(running)
    try:
        first_seconds, first = run_import(state / "stack.json", csv_file, photos)
        print(f"first import: {args.rows} rows in {first_seconds:.1f} s: {first}", flush=True)
        again_seconds, again = run_import(state / "stack.json", csv_file, photos)
        from chalicelib.adapters.dynamodb import DynamoRegistry

        stored = len(DynamoRegistry(stack.client("dynamodb"), stack.details["tables"]["registry"]).in_force("met"))
    finally:
        next(running, None)

    seeded = 9  # the Met's demo people, left alone by the import
    ok = (first.startswith(f"created {args.rows}, updated 0, unchanged 0")
          and again.startswith(f"created 0, updated 0, unchanged {args.rows}, disabled 0")
          and stored == args.rows + seeded)
    rate, rerun_rate = args.rows / first_seconds, args.rows / again_seconds
    print(table(["run", "rows", "photos", "seconds", "rows/s", "summary"], [
        ["first import", args.rows, with_photo, f"{first_seconds:.1f}", f"{rate:.0f}", first],
        ["same file again", args.rows, with_photo, f"{again_seconds:.1f}", f"{rerun_rate:.0f}", again],
    ]))
    print(f"registry records stored: {stored} ({args.rows} imported + {seeded} seeded){'' if ok else '  WRONG'}")
    print(f"import rows per second: {rate:.0f}")
    save_result("import_rows", {"rows": args.rows, "photos": with_photo, "seconds": first_seconds,
                                "rerun_seconds": again_seconds, "rows_per_second": rate,
                                "rerun_rows_per_second": rerun_rate, "summary": first, "rerun_summary": again,
                                "correct": ok})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
