#!/usr/bin/env bash
# gpu-deps.sh [--prefix DIR] [--no-mpi] [--dry-run]
#
# Run on a Debian 12 (amd64) machine that reaches the Debian archive. Downloads (apt-get
# download, no root needed for that) the Debian packages kdbench needs besides LibTorch -- HDF5
# C/C++, Boost.ProgramOptions, spdlog, fmt, nlohmann-json, GoogleTest, Open MPI -- and the shared
# libraries they pull in that a non-Debian image may lack, extracts them with dpkg -x into DIR
# (default gpu-deps/ in the checkout, git-ignored) and writes DIR/env.sh. Copy DIR to a GPU
# machine that has a pip-installed PyTorch but none of these -dev packages; scripts/gpu-check.sh
# sources DIR/env.sh (about 270 MB extracted, 40 MB of .deb files).
#
# Nothing is installed into the system. What is left out on purpose (the skip list below): the C
# and C++ runtimes (libc6, libstdc++6, libgcc-s1: the GPU machine's own are newer, and an older
# copy on LD_LIBRARY_PATH would break PyTorch), other base-system libraries every glibc
# distribution has, package-management and login tools, ssh (mpirun on one node never starts it),
# and hwloc's optional plugins (they pull in X11 and OpenCL).
#
# --no-mpi: no Open MPI; gpu-check.sh then configures with -DKDBENCH_WITH_MPI=OFF.
# --dry-run: print the package list and the commands, download nothing.
# Exit codes: 0 done, 2 bad arguments or not a Debian 12 amd64 machine, 1 a download failed.
set -euo pipefail

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }

prefix=$(cd "$(dirname "$0")/.." && pwd)/gpu-deps  # where gpu-check.sh looks by default
with_mpi=1
dry_run=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --prefix) [[ $# -ge 2 ]] || { echo "gpu-deps.sh: --prefix needs a folder" >&2; exit 2; }
      prefix=$2; shift 2 ;;
    --no-mpi) with_mpi=0; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "gpu-deps.sh: unknown argument '$1' (allowed: --prefix DIR, --no-mpi, --dry-run)" >&2
      exit 2 ;;
  esac
done

# Headers, CMake configs and link-time .so symlinks: what a configure and a link need.
dev_packages=(libhdf5-dev libboost1.74-dev libboost-program-options1.74-dev libspdlog-dev
  libfmt-dev nlohmann-json3-dev libgtest-dev)
# Libraries loaded at run time; their dependency closure is added below.
runtime_packages=(libhdf5-103-1 libhdf5-cpp-103-1 libboost-program-options1.74.0 libspdlog1.10
  libfmt9)
if [[ $with_mpi == 1 ]]; then
  dev_packages+=(libopenmpi-dev)
  runtime_packages+=(libopenmpi3 openmpi-bin openmpi-common)
fi

# Base system, tools and optional plugins (see the header). Anchored package-name patterns.
skip='^(libc6|libstdc\+\+6|libgcc-s1|gcc-12-base|libatomic1|zlib1g|libzstd1|liblzma5|libbz2-1\.0'
skip+='|libcrypt1|libselinux1|libpcre2-8-0|libsepol2|libsemanage.*|libaudit.*|libcap-ng0|libacl1'
skip+='|libpam.*|libdb5\.3|libtinfo6|libreadline8|readline-common|libuuid1|libudev1|libffi8|libmd0'
skip+='|libbsd0|libgmp10|libslang2|libnewt0\.52|libtextwrap1|libdebian-installer4|cdebconf'
skip+='|debconf|dpkg|adduser|passwd|tar|install-info|openssh-client|libedit2|libfido2-1|libcbor0\.8'
skip+='|libhwloc-plugins|libx11-.*|libxau6|libxcb1|libxdmcp6|libxext6|libxnvctrl0'
skip+='|ocl-icd-libopencl1)$'

fail() { echo "gpu-deps.sh: $*" >&2; exit 2; }
if [[ ! -r /etc/debian_version ]] || ! grep -q '^12' /etc/debian_version; then
  fail "needs a Debian 12 machine (its packages match the sonames kdbench was tested with); found $(grep -s '^PRETTY_NAME=' /etc/os-release || echo 'no /etc/debian_version')"
fi
[[ $(dpkg --print-architecture) == amd64 ]] ||
  fail "needs an amd64 machine (GPU machines are x86-64); this is $(dpkg --print-architecture)"
for tool in apt-get apt-cache dpkg; do command -v $tool > /dev/null || fail "$tool not found"; done

# The closure of the run-time packages (Depends and Pre-Depends, no Recommends), real packages
# only ("<virtual>" lines are dropped: apt-cache lists their providers separately).
mapfile -t closure < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances "${runtime_packages[@]}" | grep -v '^[ <]' | sort -u)
mapfile -t packages < <(printf '%s\n' "${dev_packages[@]}" "${closure[@]}" | grep -Ev "$skip" | sort -u)
skipped=$(printf '%s\n' "${closure[@]}" | grep -E "$skip" | tr '\n' ' ')

echo "gpu-deps.sh: ${#packages[@]} packages into $prefix/ (MPI: $([[ $with_mpi == 1 ]] && echo on || echo off))"
echo "  packages: ${packages[*]}"
echo "  skipped (the GPU machine's own): $skipped"
if [[ $dry_run == 1 ]]; then
  echo "would run: (cd $prefix/debs && apt-get download ${packages[*]})"
  echo "would run: dpkg -x each .deb into $prefix/root, then write $prefix/env.sh"
  exit 0
fi

mkdir -p "$prefix/debs"
prefix=$(cd "$prefix" && pwd)
root=$prefix/root
rm -rf "$root" && mkdir -p "$root"
# apt-get download writes into the current folder; a file already there is not downloaded again.
(cd "$prefix/debs" && apt-get download "${packages[@]}") ||
  { echo "gpu-deps.sh: apt-get download failed (is the Debian archive reachable? apt-get update?)" >&2; exit 1; }
for name in "${packages[@]}"; do
  # The newest downloaded file of this package (an older one may be left from an earlier run).
  deb=$(find "$prefix/debs" -maxdepth 1 -name "${name}_*_*.deb" | sort -V | tail -n 1)
  [[ -n $deb ]] || { echo "gpu-deps.sh: $name: no .deb in $prefix/debs after download" >&2; exit 1; }
  dpkg -x "$deb" "$root"
done

# Absolute symlinks (/usr/lib/... -> /usr/lib/...) would point into the GPU machine's own /usr:
# make them relative, so the tree works wherever it is copied.
while IFS= read -r link; do
  target=$(readlink "$link")
  [[ $target == /* ]] || continue
  ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root$target")" "$link"
done < <(find "$root" -type l)

multiarch=usr/lib/x86_64-linux-gnu
# Debian selects mpirun/mpicxx through update-alternatives, which dpkg -x does not run.
if [[ $with_mpi == 1 ]]; then
  for tool in mpirun mpiexec mpicc mpicxx mpic++; do
    ln -sfn "$tool.openmpi" "$root/usr/bin/$tool"
  done
fi

cat > "$prefix/env.sh" << EOF
# Written by scripts/gpu-deps.sh on $(date -u +%Y-%m-%d) from Debian $(cat /etc/debian_version).
# Source it (bash): paths stay right when this folder is moved or copied to another machine.
KDBENCH_DEPS_ROOT=\$(cd "\$(dirname "\${BASH_SOURCE[0]}")" && pwd)/root
export KDBENCH_DEPS_ROOT
export KDBENCH_DEPS_MPI=$with_mpi
# find_package: Boost, spdlog, fmt, nlohmann_json and GTest have CMake configs under
# $multiarch/cmake or usr/share; FindHDF5 searches HDF5_ROOT (Debian's hdf5/serial holds the
# include and lib links; without the h5cc wrapper, whose paths are Debian's own).
export CMAKE_PREFIX_PATH="\$KDBENCH_DEPS_ROOT/usr\${CMAKE_PREFIX_PATH:+:\$CMAKE_PREFIX_PATH}"
export HDF5_ROOT="\$KDBENCH_DEPS_ROOT/$multiarch/hdf5/serial"
export LD_LIBRARY_PATH="\$KDBENCH_DEPS_ROOT/$multiarch:\$KDBENCH_DEPS_ROOT/$multiarch/hdf5/serial\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
if [ "\$KDBENCH_DEPS_MPI" = 1 ]; then
  export PATH="\$KDBENCH_DEPS_ROOT/usr/bin:\$PATH"
  # A relocated Open MPI finds its plugins, help texts and wrapper data from OPAL_PREFIX; the
  # external PMIx from PMIX_PREFIX, except its plugin folder, which it must be told.
  export OPAL_PREFIX="\$KDBENCH_DEPS_ROOT/usr"
  export PMIX_PREFIX="\$KDBENCH_DEPS_ROOT/$multiarch/pmix2"
  export PMIX_MCA_mca_base_component_path="\$PMIX_PREFIX/lib/pmix"
  export LD_LIBRARY_PATH="\$KDBENCH_DEPS_ROOT/$multiarch/openmpi/lib:\$KDBENCH_DEPS_ROOT/$multiarch/pmix2/lib:\$LD_LIBRARY_PATH"
  # Without ssh, Open MPI's launcher refuses to start even on one node; it is never called there.
  command -v ssh > /dev/null 2>&1 || export OMPI_MCA_plm_rsh_agent=false
fi
EOF
rm -rf "$root/usr/share/doc" "$root/usr/share/man"  # 10 MB nobody reads on the GPU machine
echo "gpu-deps.sh: $(du -sh "$root" | cut -f1) in $root; environment: source $prefix/env.sh"
