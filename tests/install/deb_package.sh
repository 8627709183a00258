#!/usr/bin/env bash
# `cpack -G DEB` builds a .deb whose contents are the install tree under /usr and whose Depends
# name the run-time libraries (from dpkg-shlibdeps). Usage: deb_package.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" >cpack.log 2>&1) \
  || fail "cpack: $(tail -20 "$work/cpack.log")"
deb=$(ls "$work"/kdbench_*.deb) || fail "no .deb written"
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/kdbench ./usr/share/kdbench/grids/quickstart.ini ./usr/share/man/man1/kdbench.1 \
         ./usr/share/doc/kdbench/README.md ./usr/share/kdbench/slurm/kdbench-mpi.sbatch \
         ./usr/lib/kdbench/libkdbench_sentencepiece.so; do
  grep -q " $f\$" <<<"$contents" || fail "$f missing from $deb"
done
depends=$(dpkg-deb -f "$deb" Depends)
# libsentencepiece: the installed module's (dpkg-shlibdeps reads every ELF file of the package).
for lib in libtorch libhdf5 libopenmpi libboost-program-options libsentencepiece; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
echo "$(basename "$deb"): Depends: $depends"
