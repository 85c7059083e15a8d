# -*- Python -*-
# lit configuration of attnres's C++ unit tests: every googletest executable
# named *Tests under the build's unittests/ directory.
import os

import lit.formats

config.name = "attnres-unit"
config.suffixes = []
config.test_source_root = os.path.join(config.attnres_obj_root, "unittests")
config.test_exec_root = config.test_source_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
