"""What scripts/report refuses to read, and how much it reads: a FIFO or a device as LOG
must not block it, a huge log must not exhaust it."""
import contextlib
import io
import os
import tempfile
import threading
import unittest

from support import log_path

from report_lib.cli import main
from report_lib.parse import read_log


class Refusals(unittest.TestCase):
    def test_fifo_is_refused_without_blocking(self):
        with tempfile.TemporaryDirectory() as tmp:
            fifo = os.path.join(tmp, "serial.fifo")
            os.mkfifo(fifo)
            outcome = []
            reader = threading.Thread(target=lambda: outcome.append(read_log(fifo)), daemon=True)
            reader.start()
            reader.join(timeout=10)
            if reader.is_alive():   # unblock the reader before failing, so the suite can end
                with open(fifo, "wb"):
                    pass
                self.fail("read_log blocked on a FIFO")
        runs, problem = outcome[0]
        self.assertEqual(runs, [])
        self.assertEqual(problem.message, "refused: a FIFO, not a regular file (save the serial output to a file first)")

    def test_devices_and_directories_are_refused(self):
        for path, kind in (("/dev/zero", "a character device"), ("/dev/null", "a character device"),
                           (tempfile.gettempdir(), "a directory")):
            runs, problem = read_log(path)
            self.assertEqual(runs, [], path)
            self.assertTrue(problem.message.startswith(f"refused: {kind}"), problem.message)

    def test_the_command_line_goes_on_with_the_other_logs(self):
        with tempfile.TemporaryDirectory() as out:
            err = io.StringIO()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                status = main(["--out-dir", out, "/dev/zero", log_path("bochs-exp17.log")])
            self.assertEqual(status, 0)
            self.assertIn("/dev/zero: refused: a character device", err.getvalue())


class SizeLimit(unittest.TestCase):
    def test_only_the_first_bytes_are_read(self):
        with tempfile.TemporaryDirectory() as tmp:
            big = os.path.join(tmp, "big.log")
            with open(log_path("bochs-amd64-known.log"), "rb") as f:
                real = f.read()
            with open(big, "wb") as f:
                f.write(real + b"x" * 4096)
            runs, problem = read_log(big, max_bytes=len(real))
            self.assertIsNone(problem)
            self.assertTrue(runs[0].complete)
            self.assertIn(f"the log is larger than {len(real)} bytes", runs[0].warnings[-1])
            runs, _ = read_log(big, max_bytes=len(real) // 2)
            self.assertFalse(runs[0].complete)   # cut in the middle: an incomplete run, not a crash


if __name__ == "__main__":
    unittest.main()
