#!/usr/bin/env python3
"""Writes the builder's cases into a fresh folder, then lets real receivers judge them.

Usage: run_builder_cases.py MAKE_CASES OUTDIR [run_interop.py options...]
Exit status is run_interop.py's (77 when the receivers are not installed).
"""
import pathlib
import shutil
import subprocess
import sys

make_cases, out = sys.argv[1], pathlib.Path(sys.argv[2])
shutil.rmtree(out, ignore_errors=True)
out.mkdir(parents=True)
subprocess.run([make_cases, str(out)], check=True)
harness = pathlib.Path(__file__).with_name("run_interop.py")
sys.exit(subprocess.run([sys.executable, str(harness), *sys.argv[3:], str(out)]).returncode)
