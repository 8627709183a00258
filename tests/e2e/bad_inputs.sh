#!/usr/bin/env bash
# The bad-input matrix: malformed grids, data files of every reader, results files and
# command-line flags of every subcommand. Each case must end with exit 2, exactly one line on
# stderr that matches the case's pattern (it names the file/key/value and what is allowed),
# nothing on stdout for `run`, and no new file anywhere under the work directory (which holds
# the grids' results and artifacts paths). Data cases run under `ulimit -v` (3 GB), so a header
# that claims a huge size and got allocated would fail with exit 4, not 2.
#   bad_inputs.sh KDBENCH SOURCE_DIR WORK_DIR
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
make_data() { /usr/bin/python3 "$src/tests/e2e/make_bad_data.py" "$@"; }
cases=0

listing() { find "$work" -path "$work/out" -prune -o -print | sort; }

# rejected PATTERN ARGS...: `kdbench ARGS` (in $work/cases) exits 2 with one matching line and
# leaves the file tree as it was.
rejected() {
  local pattern=$1; shift
  local before; before=$(listing)
  set +e
  (cd "$work/cases" && ulimit -v 3000000 && exec "$kdbench" "$@") > out/stdout 2> out/stderr
  local code=$?
  set -e
  cases=$((cases + 1))
  printf '%3d %-58.58s -> %s\n' "$cases" "$*" "$(head -c 300 out/stderr)"
  [[ $code == 2 ]] || fail "exit $code, expected 2: kdbench $* ($(cat out/stderr))"
  [[ $(wc -l < out/stderr) == 1 ]] || fail "expected exactly one stderr line: kdbench $*"
  grep -qE -- "$pattern" out/stderr || fail "stderr does not match '$pattern': kdbench $*"
  [[ $1 != run ]] || [[ ! -s out/stdout ]] || fail "wrote to stdout: kdbench $*"
  [[ "$(listing)" == "$before" ]] || fail "files changed: kdbench $*:
$(diff <(echo "$before") <(listing))"
}

mkdir out cases
make_data idx "$work/data"
# The base grid is valid (checked below); each grid case changes one thing.
base_grid() {
  cat <<EOF
[grid]
name = bad
dataset = fashion-mnist
data_dir = $work/data
teachers = cnn4
students = cnn2
methods = nokd kd
seeds = 1 2
results = $work/cases/results/out.h5
artifacts = $work/cases/artifacts
[train]
epochs = 1
batch_size = 32
lr = 0.05
val_fraction = 0.1
train_subset = 64
test_subset = 50
threads = 1
[teacher]
epochs = 2
EOF
}
base_grid > cases/base.ini
"$kdbench" plan cases/base.ini > /dev/null || fail "the base grid is not valid"

# grid_case PATTERN SED_SCRIPT: the base grid edited by sed, refused by `run` (and by `plan`
# while also_plan=1: both read a grid through the same parser, so only some cases check both).
also_plan=1
grid_case() {
  base_grid | sed -e "$2" > cases/case.ini
  rejected "$1" run case.ini --comm single
  if (( also_plan )); then rejected "$1" plan case.ini; fi
  rm cases/case.ini
}
# grid_text PATTERN: the grid read from stdin, refused by `run`.
grid_text() {
  cat > cases/case.ini
  rejected "$1" run case.ini --comm single
  rm cases/case.ini
}

echo "== grid.ini: syntax, sections, keys"
grid_case "case.ini: .*(invalid|unrecognised|syntax|line)" '/^\[train\]/a this line has no equals sign'
grid_case "case.ini: .*(invalid|syntax|line|section)" 's/^\[train\]$/[train/'
grid_case "unknown section \[optimiser\] \(allowed: \[grid\]" 's/^\[train\]$/[optimiser]/'
grid_case "unknown key 'learning_rate' in \[train\] \(allowed: .*lr" '/^\[train\]/a learning_rate = 0.1'
grid_case "unknown key 'teacher' in \[grid\] \(allowed:" '/^\[grid\]/a teacher = cnn4'
grid_case "\[train\] lr is given twice" '/^\[train\]/a lr = 0.1'
grid_case "unknown section \[method.kdd\] \(known methods:" '$a [method.kdd]\ntemperature = 4'
grid_text "key 'epochs' is outside any section" <<< $'epochs = 3\n'"$(base_grid)"
printf '\x00\x01\xff\xfe[grid\x00]\x89PNG\r\n\x1a\n\x00\x00' > cases/garbage.ini
rejected "garbage.ini: " run garbage.ini --comm single
rm cases/garbage.ini
: > cases/empty.ini
rejected "empty.ini: .*students: missing" run empty.ini --comm single
rm cases/empty.ini
mkdir cases/dir.ini
rejected "dir.ini: cannot open grid file|dir.ini: .*directory" run dir.ini --comm single
rmdir cases/dir.ini
rejected "nope.ini: cannot open grid file" run nope.ini --comm single

echo "== grid.ini: types, ranges, names"
also_plan=0
grid_case "\[train\] lr: 'fast' is not a finite number" 's/^lr = 0.05$/lr = fast/'
grid_case "\[train\] epochs: .*1.5" 's/^epochs = 1$/epochs = 1.5/'
grid_case "\[train\] epochs: .*out of range" 's/^epochs = 1$/epochs = 0/'
grid_case "\[train\] batch_size: .*out of range" 's/^batch_size = 32$/batch_size = -4/'
grid_case "\[train\] val_fraction: 0.95 is out of range" 's/^val_fraction = 0.1$/val_fraction = 0.95/'
grid_case "\[train\] threads: 5000 is out of range \[0, 1024\]" 's/^threads = 1$/threads = 5000/'
grid_case "\[grid\] seeds: .*two" 's/^seeds = 1 2$/seeds = 1 two/'
grid_case "\[grid\] seeds: -3 is out of range" 's/^seeds = 1 2$/seeds = 1 -3/'
grid_case "\[grid\] seeds: '2' is listed twice" 's/^seeds = 1 2$/seeds = 2 1 2/'
grid_case "\[grid\] students: 'cnn2' is listed twice" 's/^students = cnn2$/students = cnn2 cnn2/'
grid_case "\[grid\] students: empty" 's/^students = cnn2$/students =/'
grid_case "\[grid\] methods: empty" 's/^methods = nokd kd$/methods =/'
grid_case "\[grid\] dataset: 'imagenet' is not allowed \(allowed: .*cifar10" 's/^dataset = .*/dataset = imagenet/'
grid_case "\[grid\] students: unknown model 'cnn99' \(known: " 's/^students = cnn2$/students = cnn99/'
grid_case "\[grid\] methods: unknown method 'distill' \(known: " 's/^methods = nokd kd$/methods = nokd distill/'
grid_case "\[grid\] teachers: missing" '/^teachers = /d'
grid_case "\[train\] optimizer: 'adam' is not allowed \(allowed: sgd adamw\)" '/^\[train\]/a optimizer = adam'
grid_case "\[train\] warmup_steps: a warm-up needs lr_schedule = linear" '/^\[train\]/a warmup_steps = 10'
grid_case "\[train\] lr_schedule: 'sometimes'" '/^\[train\]/a lr_schedule = sometimes'
grid_case "\[train\] precision: 'fp8' is not allowed" '/^\[train\]/a precision = fp8'
grid_case "\[train\] nesterov: needs momentum > 0" '/^\[train\]/a nesterov = true\nmomentum = 0'
grid_case "\[train\] nesterov: 'maybe'" '/^\[train\]/a nesterov = maybe'
grid_case "\[grid\] pipeline: 'sometimes' is not a boolean \(allowed: true false" '/^\[grid\]/a pipeline = sometimes'
grid_case "\[train\] gang_size: 0 is out of range" '/^\[train\]/a gang_size = 0'
grid_case "\[gang_size\]: unknown model 'vgg11'" '$a [gang_size]\nvgg11 = 2'
grid_case "\[teacher\] checkpoints: 7 is outside the teacher's epochs \[1, 2\]" '$a checkpoints = 7'
grid_case "\[grid\] teacher_checkpoints: 0 is outside the teacher's epochs" '/^\[grid\]/a teacher_checkpoints = 0 final'
grid_case "\[method.kd\] .*temperature" '$a [method.kd]\ntemperature = -1'
grid_case "\[method.kd\] .*unknown parameter|\[method.kd\] .*tau" '$a [method.kd]\ntau = 4'
grid_case "\[train\] lr_milestones: 9 is after" '/^\[train\]/a lr_milestones = 9'
grid_case "\[grid\] stall_factor: 0.5 is out of range" '/^\[grid\]/a stall_factor = 0.5'
also_plan=1
grid_case "\[method.takd\] assistants: unknown model 'cnn9'" 's/^methods = nokd kd$/methods = takd/; $a [method.takd]\nassistants = cnn9'
grid_case "\[method.takd\] assistants: .*cnn8.* between|\[method.takd\] assistants: .*cnn8.*size" 's/^methods = nokd kd$/methods = takd/; $a [method.takd]\nassistants = cnn8'
grid_case "\[method.takd\] assistants: 'auto' stands alone" 's/^methods = nokd kd$/methods = takd/; $a [method.takd]\nassistants = auto cnn6'
grid_case "\[method.takd\] links: 'cnn4-cnn2' is not of the form" 's/^methods = nokd kd$/methods = takd/; $a [method.takd]\nlinks = cnn4-cnn2'

echo "== grid.ini: paths"
grid_case "data_dir: .*no-such-dir" "s|^data_dir = .*|data_dir = $work/no-such-dir|"
grid_text "/proc/kdbench-nope: \[grid\] results: cannot create or write this directory" <<< "$(base_grid | sed 's|^results = .*|results = /proc/kdbench-nope/out.h5|')"
grid_text "/proc/kdbench-nope/art: \[grid\] artifacts: cannot create or write" <<< "$(base_grid | sed 's|^artifacts = .*|artifacts = /proc/kdbench-nope/art|')"
printf 'not hdf5\n' > cases/text.h5
grid_text "text.h5: not an HDF5 file" <<< "$(base_grid | sed "s|^results = .*|results = $work/cases/text.h5|")"
rejected "text.h5: not an HDF5 file" run base.ini --comm single --results text.h5

also_plan=0
echo "== data files: IDX (Fashion-MNIST)"
# data_case DEFECT FILE PATTERN [KIND [DATASET]]: the dataset with one defect, refused by `run`.
data_case() {
  local defect=$1 file=$2 pattern=$3 kind=${4:-idx} dataset=${5:-fashion-mnist}
  rm -rf "$work/bad" && make_data "$kind" "$work/bad" "$defect" "$file"
  base_grid | sed -e "s|^data_dir = .*|data_dir = $work/bad|" -e "s|^dataset = .*|dataset = $dataset|" \
    -e 's/^train_subset = 64$/train_subset = 8/' -e 's/^test_subset = 50$/test_subset = 5/' \
    > cases/case.ini
  rejected "$pattern" run case.ini --comm single
  rm cases/case.ini
}
data_case magic train-images-idx3-ubyte "train-images-idx3-ubyte: bad magic number: expected 0x00000803"
data_case magic t10k-labels-idx1-ubyte "t10k-labels-idx1-ubyte: bad magic number: expected 0x00000801"
data_case truncated-header train-images-idx3-ubyte "train-images-idx3-ubyte: truncated: expected an IDX header of 16 bytes, found 6"
data_case truncated-data train-images-idx3-ubyte "train-images-idx3-ubyte: truncated: expected 156816 bytes"
data_case truncated-data t10k-labels-idx1-ubyte "t10k-labels-idx1-ubyte: truncated: expected 68 bytes"
data_case trailing t10k-images-idx3-ubyte "t10k-images-idx3-ubyte: trailing bytes"
data_case empty train-labels-idx1-ubyte "train-labels-idx1-ubyte: truncated: expected an IDX header of 8 bytes, found 0"
data_case zero-rows train-images-idx3-ubyte "train-images-idx3-ubyte: bad dimensions: expected 1..1073741824 images"
data_case huge-count train-images-idx3-ubyte "train-images-idx3-ubyte: truncated: expected 841813590032 bytes"
data_case huge-count train-labels-idx1-ubyte "train-labels-idx1-ubyte: truncated: expected 1073741832 bytes"
data_case huge-side t10k-images-idx3-ubyte "t10k-images-idx3-ubyte: truncated: expected 64424509456 bytes"
data_case label-10 train-labels-idx1-ubyte "train-labels-idx1-ubyte: label out of range at index 100: expected 0..9, found 10"
data_case label-255 t10k-labels-idx1-ubyte "t10k-labels-idx1-ubyte: label out of range at index 30: expected 0..9, found 255"
data_case count-mismatch train-labels-idx1-ubyte "train-labels-idx1-ubyte: count mismatch: expected 200 labels"
data_case shape-mismatch t10k-images-idx3-ubyte "t10k-images-idx3-ubyte: image shape mismatch"
data_case bad-gzip train-images-idx3-ubyte "train-images-idx3-ubyte.gz: "
# A valid dataset smaller than the grid asks for: the subsets against the split.
grid_case "case.ini: \[train\] train_subset: expected at most the 180 training images" 's/^train_subset = 64$/train_subset = 500/'
grid_case "case.ini: \[train\] test_subset: expected at most the 60 test images" 's/^test_subset = 50$/test_subset = 61/'

echo "== data files: CIFAR-10 and CIFAR-100"
data_case odd-size data_batch_3.bin "data_batch_3.bin: bad size: expected a positive multiple of 3073" cifar10 cifar10
data_case empty test_batch.bin "test_batch.bin: bad size: expected a positive multiple of 3073" cifar10 cifar10
data_case label-10 data_batch_1.bin "data_batch_1.bin: label out of range in record 3: expected 0..9, found 10" cifar10 cifar10
data_case label-100 train.bin "train.bin: label out of range in record 19: expected 0..99, found 100" cifar100 cifar100
data_case coarse-20 test.bin "test.bin: coarse label out of range in record 9: expected 0..19, found 20" cifar100 cifar100
data_case odd-size train.bin "train.bin: bad size: expected a positive multiple of 3074" cifar100 cifar100
rm -rf "$work/bad" && make_data cifar10 "$work/bad" && rm "$work/bad/cifar-10-batches-bin/data_batch_5.bin"
base_grid | sed -e "s|^data_dir = .*|data_dir = $work/bad|" -e "s|^dataset = .*|dataset = cifar10|" > cases/case.ini
rejected "data_dir: .*data_batch_5.bin" run case.ini --comm single
rm -rf cases/case.ini "$work/bad"

echo "== results files (status, report, merge, run --results)"
# One real results file (a one-epoch student on the tiny data) to break in several ways.
base_grid | sed -e 's/^teachers = .*//' -e 's/^methods = .*/methods = nokd/' -e 's/^seeds = .*/seeds = 1/' \
  -e "s|^results = .*|results = $work/good.h5|" -e "s|^artifacts = .*|artifacts = $work/good-artifacts|" \
  > good.ini
"$kdbench" run good.ini --comm single --log-level warn || fail "the good grid did not run"
/usr/bin/python3 - "$work/good.h5" "$work/cases" <<'EOF'
import shutil, sys, h5py
good, cases = sys.argv[1], sys.argv[2]
data = open(good, "rb").read()
open(cases + "/truncated.h5", "wb").write(data[:len(data) // 3])
open(cases + "/superblock-only.h5", "wb").write(data[:96])
with h5py.File(cases + "/plain.h5", "w") as f:
    f["x"] = [1, 2, 3]
shutil.copy(good, cases + "/schema99.h5")
with h5py.File(cases + "/schema99.h5", "r+") as f:
    f.attrs["schema_version"] = 99
EOF
printf '\x89HDF\r\n\x1a\nrandom bytes, not a superblock' > cases/fake.h5
: > cases/empty.h5
cp good.h5 cases/good.h5
for cmd in status "report --out rep" "merge -o merged.h5 good.h5"; do
  # shellcheck disable=SC2086
  rejected "text.h5: not an HDF5 file" $cmd text.h5
  # shellcheck disable=SC2086
  rejected "plain.h5: is an HDF5 file but not a kdbench results file" $cmd plain.h5
done
rejected "schema99.h5: results schema_version 99 is not supported \(this kdbench reads 1\)" status schema99.h5
rejected "truncated.h5: .*damaged results file.*kdbench merge" status truncated.h5
rejected "superblock-only.h5: .*damaged results file|superblock-only.h5: not an HDF5" status superblock-only.h5
rejected "fake.h5: not an HDF5 file|fake.h5: .*damaged results file" status fake.h5
rejected "empty.h5: not an HDF5 file" status empty.h5
rejected "missing.h5: results file does not exist" status missing.h5
rejected "truncated.h5: .*damaged results file" report truncated.h5 --out rep
rejected "schema99.h5: results schema_version 99" merge good.h5 schema99.h5 -o merged.h5
rejected "truncated.h5: .*damaged results file" run base.ini --comm single --results truncated.h5
rejected "plain.h5: is an HDF5 file but not a kdbench results file" run base.ini --comm single --results plain.h5
rejected "schema99.h5: results schema_version 99" run base.ini --comm single --results schema99.h5

echo "== command line, every subcommand"
rejected "kdbench: error: unknown option '--bogus'" --bogus
rejected "kdbench run: unrecognised option '--gpus'" run base.ini --gpus 2
rejected "kdbench run: .*--threads.*'many' is invalid|kdbench run: .*threads" run base.ini --threads many
rejected "kdbench run: --threads must be >= 0" run base.ini --threads -2 --comm single
rejected "kdbench run: missing grid" run
rejected "kdbench run: .*too many positional" run base.ini other.ini
rejected "--comm: 'tcp' is not|comm.*tcp" run base.ini --comm tcp
rejected "--log-level: 'loud'|log.level.*loud" run base.ini --comm single --log-level loud
rejected "--device: 'tpu' is not one of auto\|cpu\|cuda" run base.ini --comm single --device tpu
rejected "--shard: '2' is not allowed" run base.ini --comm single --shard 2
rejected "kdbench plan: missing grid" plan
rejected "kdbench plan: unrecognised option '--nodes'" plan base.ini --nodes 2
rejected "kdbench plan: --ranks: '0' is not a rank count \(1\.\.1000000\)" plan base.ini --ranks 0
rejected "kdbench plan: --ranks: 'many' is not a rank count" plan base.ini --ranks many
rejected "kdbench plan: --ranks: '8x' is not a rank count" plan base.ini --ranks 8x
rejected "kdbench plan: --device: 'tpu' is not allowed \(allowed: cpu, cuda\)" plan base.ini --device tpu
rejected "kdbench status: missing results" status
rejected "kdbench status: unrecognised option '--all'" status good.h5 --all
rejected "kdbench report: .*--out|kdbench report: .*out" report good.h5
rejected "kdbench report: --metric: 'accuracy' is not allowed|metric.*accuracy" report good.h5 --out rep --metric accuracy
rejected "kdbench report: unrecognised option '--format'" report good.h5 --out rep --format html
rejected "kdbench slurm: unrecognised option '--gpu-count'" slurm base.ini --gpu-count 2
rejected "--nodes: '0' is not allowed" slurm base.ini --nodes 0
rejected "kdbench slurm: missing grid" slurm
rejected "kdbench merge: missing -o OUTPUT.h5" merge good.h5
rejected "kdbench merge: no input files" merge -o merged.h5
rejected "kdbench merge: unrecognised option '--force'" merge good.h5 -o merged.h5 --force
rejected "merge: missing.h5: no such file" merge good.h5 missing.h5 -o merged.h5

(( cases >= 60 )) || fail "only $cases cases"
echo "PASS: $cases bad inputs refused with exit 2, one line, nothing written"
