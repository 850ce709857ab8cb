#!/usr/bin/env python3
"""Generates the Python gRPC code of every Botect service from ../../proto with grpcio-tools.

    python scripts/generate.py          # rewrites src/botect/v1/
    python scripts/generate.py --check  # exits 1 when src/botect/v1/ differs from the protos

Messages (`*_pb2.py`), typed stubs (`*_pb2.pyi`) and service stubs (`*_pb2_grpc.py`) come from
`grpc_tools.protoc`; `google/api/*.proto` resolve to googleapis-common-protos at run time.
"""
import filecmp
import pathlib
import shutil
import sys
import tempfile

from grpc_tools import protoc
import grpc_tools

HERE = pathlib.Path(__file__).resolve().parent.parent
PROTO = HERE.parent.parent / "proto"
OUT = HERE / "src"
PACKAGE = OUT / "botect" / "v1"


def generate(into: pathlib.Path) -> None:
    files = sorted(str(p.relative_to(PROTO)) for p in (PROTO / "botect" / "v1").glob("*.proto"))
    include = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{PROTO}",
        f"-I{include}",
        f"--python_out={into}",
        f"--pyi_out={into}",
        f"--grpc_python_out={into}",
        *files,
    ]
    if protoc.main(args) != 0:
        sys.exit("generate.py: protoc failed")
    (into / "botect" / "v1" / "__init__.py").write_text(
        '"""Generated from proto/botect/v1 by scripts/generate.py; do not edit."""\n'
    )


def main() -> None:
    check = "--check" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp)
        (out / "botect").mkdir()
        generate(out)
        fresh = out / "botect" / "v1"
        if check:
            names = sorted(p.name for p in fresh.iterdir())
            have = sorted(p.name for p in PACKAGE.iterdir() if p.name != "__pycache__") if PACKAGE.exists() else []
            _, mismatch, errors = filecmp.cmpfiles(fresh, PACKAGE, names, shallow=False)
            if names != have or mismatch or errors:
                print(
                    "clients/python: src/botect/v1 is stale against proto/ "
                    f"(differs: {sorted(set(mismatch + errors) | (set(names) ^ set(have)))}); "
                    "run `python clients/python/scripts/generate.py`",
                    file=sys.stderr,
                )
                sys.exit(1)
            print("clients/python: generated code is current")
            return
        shutil.rmtree(PACKAGE, ignore_errors=True)
        shutil.copytree(fresh, PACKAGE)
        print(f"generated {len(list(PACKAGE.iterdir()))} files into {PACKAGE}")


if __name__ == "__main__":
    main()
