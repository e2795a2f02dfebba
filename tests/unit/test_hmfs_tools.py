"""Host tests of the HMFS tools (tools/hmfs): mkfs.hmfs fills an image from a directory and
hmfs-cat reads every file back byte for byte; fsck.hmfs gives e2fsck's exit codes (0 clean, 4 a
damaged block it names, 8 no image, 16 bad usage), and mkfs refuses sizes out of range.

Usage: python3 tests/unit/test_hmfs_tools.py BUILD/tools
"""
import os
import random
import subprocess
import sys
import tempfile
import unittest

TOOLS = None


def tool(name, *args):
    return subprocess.run([os.path.join(TOOLS, name), *args], capture_output=True)


class HmfsTools(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.tmp.name, 'tree')
        self.image = os.path.join(self.tmp.name, 'disk.img')
        rng = random.Random(14)
        self.files = {
            'hello.txt': b'hello, Missive\n',
            'empty': b'',
            'docs/big.bin': bytes(rng.getrandbits(8) for _ in range(300000)),
            'docs/deeper/note': b'n' * 5000,
        }
        for path, data in self.files.items():
            full = os.path.join(self.root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, 'wb') as f:
                f.write(data)
        os.makedirs(os.path.join(self.root, 'emptydir'))

    def tearDown(self):
        self.tmp.cleanup()

    def test_round_trip(self):
        r = tool('mkfs.hmfs', self.image, '16M', '-d', self.root)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.path.getsize(self.image), 16 << 20)
        for path, data in self.files.items():
            r = tool('hmfs-cat', self.image, '/' + path)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, data, path)
        r = tool('hmfs-cat', self.image, '/')
        self.assertEqual(sorted(r.stdout.decode().split()),
                         ['docs/', 'empty', 'emptydir/', 'hello.txt'])
        r = tool('hmfs-cat', self.image, '/nothing')
        self.assertEqual(r.returncode, 1)
        self.assertIn(b'not found', r.stderr)
        r = tool('fsck.hmfs', '-n', self.image)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn(b'0 errors', r.stdout)

    def test_damage_is_named(self):
        self.assertEqual(tool('mkfs.hmfs', self.image, '8M', '-d', self.root).returncode, 0)
        # The file's data blocks hold its bytes after a 32-byte header: find one and flip a bit.
        with open(self.image, 'r+b') as f:
            disk = bytearray(f.read())
            at = disk.find(self.files['docs/big.bin'][5000:5100])
            self.assertGreater(at, 0)
            disk[at] ^= 0x10
            f.seek(0)
            f.write(disk)
        block = at // 4096
        r = tool('fsck.hmfs', '-n', self.image)
        self.assertEqual(r.returncode, 4, r.stdout)
        self.assertIn(b'block %d ' % block, r.stdout)
        r = tool('hmfs-cat', self.image, '/docs/big.bin')
        self.assertEqual(r.returncode, 1)
        self.assertIn(b'block %d ' % block, r.stderr)
        r = tool('hmfs-cat', self.image, '/hello.txt')
        self.assertEqual(r.stdout, self.files['hello.txt'])
        r = tool('fsck.hmfs', '-y', self.image)
        self.assertEqual(r.returncode, 4, r.stdout)

    def test_errors(self):
        self.assertEqual(tool('fsck.hmfs', os.path.join(self.tmp.name, 'none')).returncode, 8)
        self.assertEqual(tool('fsck.hmfs').returncode, 16)
        self.assertEqual(tool('fsck.hmfs', '-x', self.image).returncode, 16)
        r = tool('mkfs.hmfs', self.image, '10K')
        self.assertEqual(r.returncode, 1)
        self.assertIn(b'must be', r.stderr)
        self.assertEqual(tool('mkfs.hmfs', self.image, 'lots').returncode, 1)
        self.assertEqual(tool('mkfs.hmfs', self.image).returncode, 1)
        # Not an HMFS volume: fsck says so and leaves it.
        with open(self.image, 'wb') as f:
            f.write(b'\0' * (1 << 20))
        r = tool('fsck.hmfs', '-y', self.image)
        self.assertEqual(r.returncode, 4)
        self.assertIn(b'no superblock', r.stdout)
        # Too small for what -d holds: "no space", and the image still checks clean.
        big = os.path.join(self.root, 'docs', 'huge')
        with open(big, 'wb') as f:
            f.write(os.urandom(400000))
        r = tool('mkfs.hmfs', self.image, '256K', '-d', self.root)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b'no space', r.stderr)
        self.assertEqual(tool('fsck.hmfs', self.image).returncode, 0)


if __name__ == '__main__':
    TOOLS = sys.argv.pop(1)
    unittest.main(verbosity=1)
