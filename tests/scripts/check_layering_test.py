#!/usr/bin/env python3
"""Tests of scripts/check_layering.py on small trees: it passes the real tree's rules and fails
on each kind of violation (a frontend reaching a core module, another module's internal/ header,
a confined third-party header, an undeclared module)."""
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "check_layering.py")


def run(files):
    """Writes `files` (path -> text) into a temporary root and runs the checker there."""
    with tempfile.TemporaryDirectory() as root:
        for path, text in files.items():
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write(text)
        done = subprocess.run([sys.executable, SCRIPT, "--root", root], capture_output=True,
                              text=True)
        return done.returncode, done.stdout


class CheckLayeringTest(unittest.TestCase):
    def test_allowed_includes_pass(self):
        code, out = run({
            "frontends/renewal_ws/a.cc": '#include "core/api/api.h"\n#include "core/common/json.h"\n'
                                         '#include <vector>\n#include "nlohmann/json.hpp"\n',
            "core/engine/b.cc": '#include "core/state/state_store.h"\n#include "core/engine/c.h"\n',
            "core/models/internal/x.cc": '#include "core/models/internal/y.h"\n',
            "tests/core/models/t.cc": '#include "core/models/internal/y.h"\n'
                                      '#include "core/state/state_store.h"\n',
        })
        self.assertEqual(code, 0, out)
        self.assertIn("layering: ok", out)

    def test_a_frontend_reaching_into_the_core_fails(self):
        code, out = run({"frontends/http_rest/a.cc": '#include "core/state/state_store.h"\n'})
        self.assertEqual(code, 1)
        self.assertIn("frontends/http_rest may not depend on core/state", out)

    def test_the_core_including_a_frontend_or_a_trainer_fails(self):
        code, out = run({"core/engine/a.cc": '#include "frontends/renewal_ws/x.h"\n'
                                             '#include "trainers/ease/ease_model.h"\n'})
        self.assertEqual(code, 1)
        self.assertIn("core/engine may not depend on frontends/renewal_ws", out)
        self.assertIn("core/engine may not depend on trainers/ease", out)

    def test_frontend_to_frontend_fails(self):
        code, out = run({"frontends/renewal_ws/a.cc": '#include "frontends/http_rest/router.h"\n'})
        self.assertEqual(code, 1)
        self.assertIn("may not depend on frontends/http_rest", out)

    def test_another_modules_internal_header_fails(self):
        code, out = run({"trainers/news/a.cc": '#include "core/models/internal/y.h"\n'})
        self.assertEqual(code, 1)
        self.assertIn("core/models/internal/ is private to core/models", out)

    def test_confined_third_party_headers_fail_elsewhere_angle_brackets_too(self):
        code, out = run({
            "core/engine/a.cc": "#include <rocksdb/db.h>\n",
            "core/service/b.cc": '#include "grpcpp/grpcpp.h"\n#include "recplat/v1/x.grpc.pb.h"\n',
            "trainers/ease/c.cc": "#include <torch/torch.h>\n",
        })
        self.assertEqual(code, 1)
        self.assertIn("RocksDB headers are confined", out)
        self.assertEqual(out.count("gRPC headers are confined"), 2, out)
        self.assertIn("LibTorch headers are confined", out)

    def test_an_undeclared_module_fails(self):
        code, out = run({"core/newthing/a.cc": '#include "core/common/json.h"\n'})
        self.assertEqual(code, 1)
        self.assertIn("core/newthing is not in the module table", out)


if __name__ == "__main__":
    unittest.main()
