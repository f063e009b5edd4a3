#!/usr/bin/env python3
"""The device side of prepare.mjs's chunks, with Python's standard library only (lzma, tarfile).

  unpack.py verify CHUNK SHA256     check one uploaded chunk; list the chunks present beside it
  unpack.py extract MANIFEST DEST   check every chunk of MANIFEST, then stream their concatenation
                                    through xz into DEST (skipped when DEST already holds this
                                    archive, so a warm machine unpacks once)
Exit status 1, with one line naming the chunk, when a chunk is missing or differs.
"""
import hashlib
import json
import os
import sys
import tarfile


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def verify(chunk, want):
    if not os.path.exists(chunk):
        sys.exit(f'unpack: {chunk} was not uploaded (carry it in this command)')
    got = sha256(chunk)
    if got != want:
        sys.exit(f'unpack: {chunk} has sha256 {got}, expected {want}')
    folder = os.path.dirname(chunk) or '.'
    present = sorted(f for f in os.listdir(folder) if '.tar.xz.' in f)
    print(f'unpack: {chunk} ok ({os.path.getsize(chunk)} bytes); present: {", ".join(present)}')


class Chunks:
    """A read-only file over the chunks, in order (tarfile's stream mode reads it once)."""

    def __init__(self, paths):
        self.paths = list(paths)
        self.f = None

    def read(self, n=-1):
        out = b''
        while n < 0 or len(out) < n:
            if self.f is None:
                if not self.paths:
                    break
                self.f = open(self.paths.pop(0), 'rb')
            block = self.f.read(-1 if n < 0 else n - len(out))
            if not block:
                self.f.close()
                self.f = None
                continue
            out += block
        return out


def extract(manifest_path, dest):
    root = os.getcwd()
    manifest = json.load(open(manifest_path))
    stamp = os.path.join(dest, '.archive-sha256')
    want = manifest['archive']['sha256']
    if os.path.exists(stamp) and open(stamp).read().strip() == want:
        print(f'unpack: {dest} already holds archive {want[:12]}')
        return
    paths = []
    for c in manifest['chunks']:
        path = os.path.join(root, c['path'])
        if not os.path.exists(path):
            sys.exit(f'unpack: {c["path"]} is missing: upload every chunk (COMMANDS.md) while the machine stays warm')
        if os.path.getsize(path) != c['bytes'] or sha256(path) != c['sha256']:
            sys.exit(f'unpack: {c["path"]} differs from the manifest (sha256 {sha256(path)}, expected {c["sha256"]})')
        paths.append(path)
    os.makedirs(dest, exist_ok=True)
    with tarfile.open(fileobj=Chunks(paths), mode='r|xz') as tar:
        # 'data' (Python ≥ 3.12, some 3.11): regular files and folders only, nothing outside dest.
        tar.extractall(dest, **({'filter': 'data'} if hasattr(tarfile, 'data_filter') else {}))
    with open(stamp, 'w') as f:
        f.write(want)
    print(f'unpack: {len(paths)} chunks → {dest} ({manifest["archive"]["unpackedBytes"]} bytes)')


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'verify':
        verify(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == 'extract':
        extract(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
