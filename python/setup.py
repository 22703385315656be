"""Builds and installs the sluice Python package: pip install --no-build-isolation ./python

The extension module is the CMake target _sluice of this repository (python/CMakeLists.txt),
built with Ninja (and ccache when installed) for the python3 pip runs under. Environment:
  SLUICE_BUILD_DIR   the CMake build directory to use (default: one under pip's build folder;
                     give build/release to reuse what is built there: a directory already
                     configured is only built);
  SLUICE_EXTENSION   an already built module (build/release/python/sluice/_sluice*.so) to
                     install as is, without building (the test suite's venv test uses it).
"""

import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        target = self.get_ext_fullpath(ext.name)
        built = os.environ.get("SLUICE_EXTENSION")
        if not built:
            build_dir = os.environ.get("SLUICE_BUILD_DIR") or os.path.join(
                os.path.abspath(self.build_temp), "cmake")
            if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
                subprocess.check_call([
                    "cmake", "-S", REPO, "-B", build_dir, "-G", "Ninja",
                    "-DCMAKE_BUILD_TYPE=Release", "-DSLUICE_PYTHON=ON",
                    f"-DSLUICE_PYTHON_EXECUTABLE={sys.executable}",
                    "-DSLUICE_TESTS=OFF", "-DSLUICE_BENCH=OFF",
                ])
            subprocess.check_call(["cmake", "--build", build_dir, "--target", "_sluice"])
            folder = os.path.join(build_dir, "python", "sluice")
            built = next(os.path.join(folder, f) for f in os.listdir(folder)
                         if f.startswith("_sluice") and f.endswith(".so"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built, target)


setup(
    name="sluice",
    version="0.1.0",
    description="sluice: an embedded streaming SQL database",
    packages=["sluice"],
    ext_modules=[Extension("sluice._sluice", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    install_requires=["numpy"],
    extras_require={"pandas": ["pandas"]},
)
