"""HMFS through FUSE on the host (tools/hmfs/fuse.c): a seeded random exerciser in fsx's style
runs operations through the mounted image with Python's os calls (create, write at random
offsets, truncate, read, unlink, mkdir, rmdir, rename, fsync), each answer (the errno of a
refusal included) and every read checked against a model; then the image is unmounted, fsck.hmfs
must find it clean, and after mounting it again everything is as the model says. Needs /dev/fuse
and fusermount3 (Debian's fuse3).

Usage: python3 tests/unit/test_hmfs_fuse.py BUILD/tools [OPERATIONS]
"""
import errno
import os
import random
import subprocess
import sys
import tempfile
import time
import unittest

TOOLS = None
OPERATIONS = 1500
PARENTS = ['', '/a', '/b', '/a/c']
NAMES = ['a', 'b', 'c', 'f0', 'f1', 'f2']


class Mounted:
    """hmfs-fuse IMAGE MOUNTPOINT, in the foreground, for a with-block."""

    def __init__(self, image, point):
        self.image, self.point = image, point

    def __enter__(self):
        self.proc = subprocess.Popen([os.path.join(TOOLS, 'hmfs-fuse'), self.image, self.point,
                                      '-f'], stderr=subprocess.PIPE)
        for _ in range(200):
            if os.path.ismount(self.point):
                return self
            if self.proc.poll() is not None:
                raise RuntimeError('hmfs-fuse exited: %s' % self.proc.stderr.read().decode())
            time.sleep(0.05)
        raise RuntimeError('hmfs-fuse did not mount')

    def __exit__(self, *exc):
        subprocess.run(['fusermount3', '-u', self.point], check=True)
        self.proc.wait(timeout=30)
        err = self.proc.stderr.read().decode()
        self.proc.stderr.close()
        if self.proc.returncode != 0 or 'hmfs-fuse:' in err:
            raise RuntimeError('hmfs-fuse: exit %d: %s' % (self.proc.returncode, err))


class Model:
    def __init__(self):
        self.files = {}   # path -> bytearray
        self.dirs = set()

    def exists(self, p):
        return p in self.files or p in self.dirs

    def resolve_parent(self, path):
        """0, ENOENT or ENOTDIR for the directory holding path."""
        parts = path.split('/')[1:-1]
        at = ''
        for part in parts:
            at += '/' + part
            if at in self.files:
                return errno.ENOTDIR
            if at not in self.dirs:
                return errno.ENOENT
        return 0

    def children(self, d):
        return [p for p in list(self.files) + list(self.dirs) if p.startswith(d + '/')]


class FuseExerciser(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.image = os.path.join(self.tmp.name, 'disk.img')
        self.point = os.path.join(self.tmp.name, 'mnt')
        os.mkdir(self.point)
        r = subprocess.run([os.path.join(TOOLS, 'mkfs.hmfs'), self.image, '64M'])
        self.assertEqual(r.returncode, 0)

    def tearDown(self):
        self.tmp.cleanup()

    def expect(self, want, call, *args):
        """Runs call; its errno (0 for success) must be want. Returns its result."""
        try:
            result = call(*args)
            got = 0
        except OSError as e:
            result, got = None, e.errno
        self.assertEqual(got, want, '%s%r: %s, want %s' % (call.__name__, args,
                         errno.errorcode.get(got, got), errno.errorcode.get(want, want)))
        return result

    def write_at(self, path, offset, data):
        fd = os.open(path, os.O_WRONLY)
        try:
            os.pwrite(fd, data, offset)
            if self.rng.random() < 0.1:
                os.fsync(fd)
        finally:
            os.close(fd)

    def read_all(self, path):
        with open(path, 'rb') as f:
            return f.read()

    def step(self, m):
        rng, mnt = self.rng, self.point
        path = rng.choice(PARENTS) + '/' + rng.choice(NAMES)
        real = mnt + path
        op = rng.randrange(100)
        parent_error = m.resolve_parent(path)
        if op < 15:    # create
            want = parent_error or (errno.EEXIST if m.exists(path) else 0)
            self.expect(want, lambda: os.close(os.open(real, os.O_CREAT | os.O_EXCL |
                                                       os.O_WRONLY)))
            if want == 0:
                m.files[path] = bytearray()
        elif op < 22:  # mkdir
            want = parent_error or (errno.EEXIST if m.exists(path) else 0)
            self.expect(want, os.mkdir, real)
            if want == 0:
                m.dirs.add(path)
        elif op < 45 and m.files:   # write
            path = rng.choice(sorted(m.files))
            offset, data = rng.randrange(40000), rng.randbytes(rng.randrange(1, 15000))
            self.write_at(mnt + path, offset, data)
            f = m.files[path]
            if len(f) < offset + len(data):
                f.extend(bytes(offset + len(data) - len(f)))
            f[offset:offset + len(data)] = data
        elif op < 52 and m.files:   # truncate
            path = rng.choice(sorted(m.files))
            size = rng.randrange(50000)
            os.truncate(mnt + path, size)
            f = m.files[path]
            if size > len(f):
                f.extend(bytes(size - len(f)))
            del f[size:]
        elif op < 66 and m.files:   # read
            path = rng.choice(sorted(m.files))
            self.assertEqual(self.read_all(mnt + path), bytes(m.files[path]), path)
        elif op < 74:  # unlink
            want = parent_error or (0 if path in m.files else
                                    errno.EISDIR if path in m.dirs else errno.ENOENT)
            self.expect(want, os.unlink, real)
            if want == 0:
                del m.files[path]
        elif op < 80:  # rmdir
            want = parent_error or (errno.ENOENT if not m.exists(path) else
                                    errno.ENOTDIR if path in m.files else
                                    errno.ENOTEMPTY if m.children(path) else 0)
            self.expect(want, os.rmdir, real)
            if want == 0:
                m.dirs.remove(path)
        elif op < 92:  # rename
            to = rng.choice(PARENTS) + '/' + rng.choice(NAMES)
            want = parent_error or m.resolve_parent(to)
            src_dir = path in m.dirs
            to_parent = to.rsplit('/', 1)[0]
            if not want:
                if not m.exists(path):
                    want = errno.ENOENT
                elif path.startswith(to + '/'):
                    want = errno.ENOTEMPTY  # Linux's VFS: the target holds the source
                elif src_dir and (to_parent == path or to_parent.startswith(path + '/')):
                    want = errno.EINVAL
                elif to == path:
                    want = 0
                elif to in m.dirs:
                    want = errno.EEXIST if src_dir else errno.EISDIR
                elif to in m.files and src_dir:
                    want = errno.ENOTDIR
            self.expect(want, os.rename, real, mnt + to)
            if want == 0 and to != path:
                m.files.pop(to, None)
                for p in sorted(m.files):
                    if p == path or p.startswith(path + '/'):
                        m.files[to + p[len(path):]] = m.files.pop(p)
                for p in sorted(m.dirs):
                    if p == path or p.startswith(path + '/'):
                        m.dirs.remove(p)
                        m.dirs.add(to + p[len(path):])
        elif op < 95:  # listing
            d = rng.choice(PARENTS)
            if d == '' or d in m.dirs:
                names = sorted(p.rsplit('/', 1)[1] for p in list(m.files) + list(m.dirs)
                               if p.rsplit('/', 1)[0] == d)
                self.assertEqual(sorted(os.listdir(mnt + (d or '/'))), names)

    def verify(self, m):
        for path, data in m.files.items():
            self.assertEqual(self.read_all(self.point + path), bytes(data), path)
        for d in m.dirs:
            self.assertTrue(os.path.isdir(self.point + d), d)

    def test_fsx(self):
        self.rng = random.Random(int(os.environ.get('HMFS_FUSE_SEED', '1414')))
        m = Model()
        with Mounted(self.image, self.point):
            for i in range(OPERATIONS):
                self.step(m)
            self.verify(m)
        r = subprocess.run([os.path.join(TOOLS, 'fsck.hmfs'), self.image], capture_output=True)
        self.assertEqual(r.returncode, 0, r.stdout)
        with Mounted(self.image, self.point):
            self.verify(m)
            self.assertGreater(len(m.files) + len(m.dirs), 5)


if __name__ == '__main__':
    TOOLS = sys.argv.pop(1)
    if len(sys.argv) > 1 and sys.argv[1].isdigit():
        OPERATIONS = int(sys.argv.pop(1))
    unittest.main(verbosity=1)
