#!/usr/bin/env python3
"""Compare our bencode decoder's info-hashes with libtorrent's.

Run by scripts/interop (check_torrent_libtorrent) with the interop venv's Python,
from the repository root. Offline: libtorrent only parses and creates files here.

1. libtorrent loads every *.torrent under the corpus; files it rejects are counted
   and skipped (our tolerant decoder accepts some of those on purpose).
2. libtorrent creates its own torrents (v1-only, hybrid v1+v2, v2-only; single and
   multi-file; various piece sizes) from small seeded-random files in a temp dir.
3. Our `infohash` example runs on all accepted files; for each one it must decode,
   and its v1/v2 hashes must equal libtorrent's whenever libtorrent has_v1/has_v2.

Exit status 0 when everything matches, 1 on any mismatch or guard failure.
Environment: INTEROP_SEED (int) fixes the random file contents; INTEROP_KEEP_TMP=1
keeps the temp dir (it is also kept, and its path printed, on failure).
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import libtorrent as lt

CORPUS = Path("torrent-codec/tests/corpus")
MIN_CORPUS_ACCEPTED = 60
INFOHASH_CMD = ["cargo", "run", "-q", "--release", "-p", "torrent-codec", "--example", "infohash", "--"]

V1_ONLY = lt.create_torrent.v1_only
V2_ONLY = lt.create_torrent.v2_only
SYMLINKS = lt.create_torrent.symlinks
CANONICAL = lt.create_torrent.canonical_files
KIB = 1024


def lt_hashes(path):
    """(v1 hex or None, v2 hex or None) as libtorrent sees the file; raises if rejected."""
    ih = lt.torrent_info(str(path)).info_hashes()
    # Only trust .v1/.v2 behind has_v1()/has_v2(): the other one is zero (or, in some
    # versions, a truncated v2 hash) and must not be compared.
    v1 = str(ih.v1) if ih.has_v1() else None
    v2 = str(ih.v2) if ih.has_v2() else None
    return v1, v2


def write_tree(root, files, rng):
    """files: {relative path: size}; contents are seeded-random bytes."""
    for rel, size in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(rng.randbytes(size))


def create(out_dir, src_parent, name, target, piece_size, flags, extras=None):
    """Have libtorrent build a torrent of src_parent/target; returns the .torrent path."""
    # Keyword needed: positionally, boost.python picks the (path, predicate) overload.
    entries = lt.list_files(str(src_parent / target), flags=flags)
    t = lt.create_torrent(entries, piece_size, flags)
    if extras:
        extras(t)
    lt.set_piece_hashes(t, str(src_parent))
    out = out_dir / f"{name}.torrent"
    out.write_bytes(lt.bencode(t.generate()))
    return out


def with_metadata(t):
    # Mostly outside `info` (must not change the info-hash), plus `private` inside it.
    t.set_priv(True)
    t.set_comment("interop \u2713 comment")
    t.set_creator("applayer interop")
    t.add_tracker("http://tracker.invalid/announce", 0)
    t.add_tracker("udp://tracker2.invalid:6969/announce", 1)
    t.add_url_seed("http://seed.invalid/files/")


def create_torrents(work, rng):
    src = work / "src"
    out = work / "torrents"
    out.mkdir(parents=True)
    write_tree(src, {"single.bin": 100_000, "tiny.txt": 7}, rng)
    write_tree(
        src,
        {
            "multi/a.bin": 40_000,
            "multi/sub/b.bin": 70_001,
            "multi/sub/deeper/c.dat": 16 * KIB,
            "multi/c.txt": 5,
            "multi/empty": 0,
            "multi/\u00fcnicode-\u540d\u524d.bin": 3_333,
        },
        rng,
    )
    write_tree(src, {"big/one.bin": 300_000, "big/two.bin": 123_457}, rng)
    write_tree(src, {"links/real.bin": 20_000}, rng)
    os.symlink("real.bin", src / "links" / "alias.bin")

    specs = [
        # name, target, piece size (0 = libtorrent picks), flags, extras
        ("v1-single-16k", "single.bin", 16 * KIB, V1_ONLY, None),
        ("v1-single-48k-private", "single.bin", 48 * KIB, V1_ONLY, with_metadata),
        ("v1-single-tiny", "tiny.txt", 0, V1_ONLY, None),
        ("v1-multi-32k", "multi", 32 * KIB, V1_ONLY, None),
        ("v1-multi-canonical-16k", "multi", 16 * KIB, V1_ONLY | CANONICAL, None),
        ("v1-big-80k", "big", 80 * KIB, V1_ONLY, None),
        ("hybrid-multi-16k", "multi", 16 * KIB, 0, None),
        ("hybrid-big-default", "big", 0, 0, None),
        ("hybrid-multi-1m-private", "multi", 1024 * KIB, 0, with_metadata),
        ("hybrid-single-64k", "single.bin", 64 * KIB, 0, None),
        ("hybrid-big-32k", "big", 32 * KIB, 0, None),
        ("hybrid-symlinks-16k", "links", 16 * KIB, SYMLINKS, None),
        ("v2-multi-64k", "multi", 64 * KIB, V2_ONLY, None),
        ("v2-single-16k", "single.bin", 16 * KIB, V2_ONLY, None),
        ("v2-big-128k-private", "big", 128 * KIB, V2_ONLY, with_metadata),
    ]
    created = []
    for name, target, piece_size, flags, extras in specs:
        created.append(create(out, src, name, target, piece_size, flags, extras))
    return created


def run_infohash(paths):
    """Our decoder's view: {path: (v1 or None, v2 or None)} or {path: 'error: ...'}."""
    proc = subprocess.run(
        INFOHASH_CMD + [str(p) for p in paths],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    ours = {}
    for line in proc.stdout.splitlines():
        cols = line.split("\t")
        if len(cols) >= 2 and cols[1].startswith("error:"):
            ours[cols[0]] = "\t".join(cols[1:])
        elif len(cols) == 4:
            ours[cols[0]] = tuple(None if c == "-" else c for c in cols[1:3])
        else:
            raise SystemExit(f"unparseable infohash output line: {line!r}")
    return ours


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()

    seed = int(os.environ.get("INTEROP_SEED") or random.SystemRandom().randrange(2**32))
    print(f"libtorrent {lt.__version__}, random seed {seed} (set INTEROP_SEED to reproduce)")

    expected = {}  # path -> (v1, v2) per libtorrent
    failures = []

    corpus = sorted(args.corpus.rglob("*.torrent"))
    rejected = []
    for p in corpus:
        try:
            expected[str(p)] = lt_hashes(p)
        except Exception as e:  # libtorrent raises RuntimeError; be broad, it's a skip
            rejected.append((p, e))
    accepted = len(expected)
    print(f"corpus: {len(corpus)} .torrent files, libtorrent accepted {accepted}, rejected {len(rejected)}")
    if accepted < MIN_CORPUS_ACCEPTED:
        failures.append(f"libtorrent accepted only {accepted} corpus files (< {MIN_CORPUS_ACCEPTED}): corpus missing?")

    work = Path(tempfile.mkdtemp(prefix="interop-torrent-"))
    created = create_torrents(work, random.Random(seed))
    for p in created:
        try:
            expected[str(p)] = lt_hashes(p)
        except RuntimeError as e:
            failures.append(f"{p.name}: libtorrent rejects the torrent it created itself: {e}")
    kinds = {}
    for p in created:
        v1, v2 = expected.get(str(p), (None, None))
        kind = "hybrid" if v1 and v2 else "v1" if v1 else "v2" if v2 else "none"
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"created: {len(created)} torrents with libtorrent ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})")

    ours = run_infohash(expected)
    compared = v1_compared = v2_compared = 0
    for path, (lt_v1, lt_v2) in expected.items():
        got = ours.get(path)
        if got is None:
            failures.append(f"{path}: no output line from our infohash example")
            continue
        if isinstance(got, str):
            failures.append(f"{path}: libtorrent accepts it (v1 {lt_v1 or '-'}, v2 {lt_v2 or '-'}) but our decoder says {got}")
            continue
        our_v1, our_v2 = got
        compared += 1
        if lt_v1 is None and lt_v2 is None:
            failures.append(f"{path}: libtorrent reports neither a v1 nor a v2 info-hash")
        if lt_v1 is not None:
            v1_compared += 1
            if our_v1 != lt_v1:
                failures.append(f"{path}: v1 info-hash mismatch: ours {our_v1 or '-'}, libtorrent {lt_v1}")
        if lt_v2 is not None:
            v2_compared += 1
            if our_v2 != lt_v2:
                failures.append(f"{path}: v2 info-hash mismatch: ours {our_v2 or '-'}, libtorrent {lt_v2}")

    print(f"compared: {compared} files ({v1_compared} v1 hashes, {v2_compared} v2 hashes)")
    if failures:
        for f in failures:
            print(f"  MISMATCH {f}")
        print(f"temp dir kept for inspection: {work}")
        return 1
    if os.environ.get("INTEROP_KEEP_TMP") == "1":
        print(f"temp dir kept: {work}")
    else:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
