"""Makes the corruption test's image (system-test case hmfs-damaged): mkfs.hmfs filled from a
directory, then one bit flipped in a data block of /damaged.bin and one in the directory block
of /sub (metadata). Writes IMAGE and IMAGE.json: the two blocks, for the case's checks.

    python3 hmfs_image.py TOOLS_DIR IMAGE"""
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

BLOCK = 4096
MAGIC = 0x4D48
TYPE_BUCKET, KIND_DIR = 3, 2
ROOT_INO = 1


def files():
    rng = random.Random(1414)
    made = {"damaged.bin": bytes(rng.getrandbits(8) for _ in range(65536)),
            "sub/inner.txt": b"below the damaged directory\n"}
    for i in range(3):
        made[f"good-{i}.txt"] = f"good file {i}\n".encode()
    return made


def make(tools, image):
    with tempfile.TemporaryDirectory() as tmp:
        for path, data in files().items():
            full = os.path.join(tmp, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
        subprocess.run([os.path.join(tools, "mkfs.hmfs"), image, "4M", "-d", tmp], check=True,
                       stdout=subprocess.DEVNULL)
    with open(image, "r+b") as f:
        disk = bytearray(f.read())
        # A data block: the file's bytes after the block's header.
        at = disk.find(files()["damaged.bin"][20000:20100])
        assert at > 0, "the damaged file's bytes are not in the image"
        disk[at] ^= 0x10
        data_block = at // BLOCK
        # A metadata block: a bucket of a directory other than the root (/sub's).
        meta_block = None
        for b in range(len(disk) // BLOCK):
            crc, magic, kind_type, owner = struct.unpack_from("<IHH16xQ", disk, b * BLOCK)
            if magic == MAGIC and kind_type == (KIND_DIR << 8 | TYPE_BUCKET) and owner != ROOT_INO:
                meta_block = b
                break
        assert meta_block is not None, "no directory bucket of /sub in the image"
        disk[meta_block * BLOCK + 200] ^= 0x01
        f.seek(0)
        f.write(disk)
    with open(image + ".json", "w") as f:
        json.dump({"data_block": data_block, "meta_block": meta_block}, f)


if __name__ == "__main__":
    make(sys.argv[1], sys.argv[2])
