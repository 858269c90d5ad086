#!/usr/bin/env python3
"""Cuts the BPF ELF objects (e_machine EM_BPF, 247) out of a binary.

A libbpf skeleton embeds its object as one byte array: a little-endian
ELF64 image. Its end is the end of its section header table (clang puts
the table last), so the image is [start, e_shoff + e_shnum * e_shentsize).

usage: extract_bpf_elf.py BINARY OUTDIR
Writes OUTDIR/BASENAME.bpf.o (BASENAME-N.bpf.o for a second object) and
prints each path written."""
import os
import struct
import sys

EM_BPF = 247


def objects(data):
    at = data.find(b"\x7fELF")
    while at >= 0:
        hdr = data[at:at + 64]
        # ELFCLASS64, little-endian, and a BPF machine
        if len(hdr) == 64 and hdr[4] == 2 and hdr[5] == 1 and \
                struct.unpack_from("<H", hdr, 18)[0] == EM_BPF:
            shoff, = struct.unpack_from("<Q", hdr, 40)
            shentsize, shnum = struct.unpack_from("<HH", hdr, 58)
            end = shoff + shnum * shentsize
            if 64 <= end <= len(data) - at:
                yield data[at:at + end]
                at = data.find(b"\x7fELF", at + end)
                continue
        at = data.find(b"\x7fELF", at + 1)


def main():
    binary, outdir = sys.argv[1], sys.argv[2]
    with open(binary, "rb") as f:
        data = f.read()
    base = os.path.basename(binary)
    for n, obj in enumerate(objects(data)):
        path = os.path.join(outdir, base + ("-%d" % n if n else "") + ".bpf.o")
        with open(path, "wb") as f:
            f.write(obj)
        print(path)


if __name__ == "__main__":
    main()
