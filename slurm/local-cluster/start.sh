#!/usr/bin/env bash
# Bring up a real single-node Slurm cluster on this machine (Debian 12 packages slurmctld, slurmd,
# slurm-client, munge, libpmix-dev), for the `slurm`-labelled tests and for trying sbatch scripts
# by hand. No systemd: the daemons are started directly and their PIDs kept in the state dir.
#
#   eval "$(slurm/local-cluster/start.sh)"     # exports SLURM_CONF (+ mpirun-as-root variables)
#   sbatch --wait job.sbatch
#   slurm/local-cluster/stop.sh
#
# Environment:
#   KDBENCH_SLURM_DIR       state dir (config, spool, logs, pidfiles); default /tmp/kdbench-slurm
#   KDBENCH_SLURM_CPUS      CPUs to advertise at least (so 3+ ranks fit on 2 cores); default 4
#   KDBENCH_SLURM_GPUS      fake GPUs to advertise (--gpus-per-node is then accepted); default 2
#   KDBENCH_SLURM_TIMEOUT   seconds to wait for the node to become idle; default 60
#
# stdout carries only `export ...` lines; progress and errors go to stderr. Running it again while
# the cluster is up changes nothing and prints the same lines. See slurm/README.md §6.
set -euo pipefail

STATE_DIR="${KDBENCH_SLURM_DIR:-/tmp/kdbench-slurm}"
WANT_CPUS="${KDBENCH_SLURM_CPUS:-4}"
FAKE_GPUS="${KDBENCH_SLURM_GPUS:-2}"
TIMEOUT="${KDBENCH_SLURM_TIMEOUT:-60}"
CONF="$STATE_DIR/slurm.conf"
NODE="$(hostname -s)"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

say() { echo "start.sh: $*" >&2; }
die() { echo "start.sh: error: $*" >&2; exit 1; }

# A pidfile names one of *our* daemons only if that process is alive and is the expected program
# (a stale pidfile after a reboot may name an unrelated process).
pid_alive() {  # pidfile program
  local pid
  [[ -r "$1" ]] || return 1
  pid="$(tr -dc '0-9' <"$1")"
  [[ -n "$pid" && -r "/proc/$pid/comm" ]] || return 1
  [[ "$(cat "/proc/$pid/comm")" == "$2" ]]
}

print_exports() {
  echo "export SLURM_CONF=$CONF"
  # Open MPI refuses to run as root unless told; sbatch passes the submitter's environment on.
  if [[ "$(id -u)" -eq 0 ]]; then
    echo "export OMPI_ALLOW_RUN_AS_ROOT=1"
    echo "export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
  fi
}

node_state() {
  SLURM_CONF="$CONF" sinfo -h -n "$NODE" -o '%T' 2>/dev/null | head -n1 || true
}

show_logs_and_die() {
  local f
  for f in "$STATE_DIR/slurmctld.log" "$STATE_DIR/slurmd.log" /var/log/munge/munged.log; do
    [[ -r "$f" ]] || continue
    echo "---- last lines of $f" >&2
    tail -n 15 "$f" >&2
  done
  die "$1"
}

# ---- preconditions ----------------------------------------------------------------------------
[[ "$(id -u)" -eq 0 ]] || die "must run as root (munged runs as user munge, slurmd as root); try: sudo $0"
PATH="$PATH:/usr/sbin:/sbin"
for tool in slurmctld slurmd sinfo scontrol munged munge unmunge runuser; do
  command -v "$tool" >/dev/null ||
    die "'$tool' not found; install: apt-get install --no-install-recommends slurmctld slurmd slurm-client munge libpmix-dev"
done
# Slurm's pmix plugin dlopen()s the unversioned libpmix.so that only libpmix-dev ships.
compgen -G "/usr/lib/*/libpmix.so" >/dev/null || compgen -G "/usr/lib/libpmix.so" >/dev/null ||
  die "libpmix.so not found (srun --mpi=pmix would fail); install libpmix-dev"
[[ "$WANT_CPUS" =~ ^[1-9][0-9]*$ ]] || die "KDBENCH_SLURM_CPUS='$WANT_CPUS' is not a positive integer"
[[ "$FAKE_GPUS" =~ ^[0-9]+$ ]] || die "KDBENCH_SLURM_GPUS='$FAKE_GPUS' is not a non-negative integer"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "KDBENCH_SLURM_TIMEOUT='$TIMEOUT' is not a positive integer"

# ---- already up? --------------------------------------------------------------------------------
if pid_alive "$STATE_DIR/slurmctld.pid" slurmctld && pid_alive "$STATE_DIR/slurmd.pid" slurmd; then
  case "$(node_state)" in
    idle*|mixed*|allocated*|completing*)
      say "already running (state dir $STATE_DIR)"
      print_exports
      exit 0 ;;
  esac
fi
# Anything half-started from an earlier attempt goes first, so we start from a known state.
KDBENCH_SLURM_DIR="$STATE_DIR" "$HERE/stop.sh" >/dev/null 2>&1 || true
mkdir -p "$STATE_DIR/ctld" "$STATE_DIR/spool" "$STATE_DIR/fake-gpus"
# Slurm's fixed ports: a cluster from another state dir (or a site slurmd) would answer our sinfo.
if command -v ss >/dev/null; then
  for port in 6817 6818; do
    if user="$(ss -Hltnp "sport = :$port" 2>/dev/null)" && [[ -n "$user" ]]; then
      die "port $port is in use ($(grep -o 'users:.*' <<<"$user")); is another Slurm cluster running? stop it first (KDBENCH_SLURM_DIR=<its dir> $HERE/stop.sh)"
    fi
  done
fi

# ---- munge --------------------------------------------------------------------------------------
munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
if ! munge_works; then
  install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    say "creating /etc/munge/munge.key"
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0600 /etc/munge/munge.key
  # /run is a tmpfs: the socket directory vanishes on every boot.
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- munged
  for _ in $(seq 50); do
    munge_works && break
    sleep 0.1
  done
  munge_works || show_logs_and_die "munged did not come up"
  # Record it so stop.sh ends exactly this munged (and leaves one it did not start alone).
  cp /run/munge/munged.pid "$STATE_DIR/munged.pid"
fi

# ---- configuration ------------------------------------------------------------------------------
declare -A detected=()
for kv in $(slurmd -C | head -n1); do detected["${kv%%=*}"]="${kv#*=}"; done
for key in CPUs Boards SocketsPerBoard CoresPerSocket ThreadsPerCore RealMemory; do
  [[ -n "${detected[$key]:-}" ]] || die "'slurmd -C' did not report $key: $(slurmd -C | head -n1)"
done
cpus="$(nproc)"
(( cpus >= WANT_CPUS )) || cpus="$WANT_CPUS"
if [[ "$cpus" == "${detected[CPUs]}" ]]; then
  topology="Boards=${detected[Boards]} SocketsPerBoard=${detected[SocketsPerBoard]}"
  topology+=" CoresPerSocket=${detected[CoresPerSocket]} ThreadsPerCore=${detected[ThreadsPerCore]}"
else
  # Advertising more CPUs than exist (config_overrides): a flat topology that multiplies out.
  topology="Boards=1 SocketsPerBoard=1 CoresPerSocket=$cpus ThreadsPerCore=1"
fi
# RealMemory above what slurmd detects drains the node; stay at 90 %.
memory=$(( detected[RealMemory] * 9 / 10 ))

gres_node=""
: >"$STATE_DIR/gres.conf"
if (( FAKE_GPUS > 0 )); then
  # Character devices like /dev/null (major 1, minor 3) stand in for /dev/nvidiaN: slurmd
  # wants a device file per GPU and then sets CUDA_VISIBLE_DEVICES for the job.
  for ((i = 0; i < FAKE_GPUS; i++)); do
    [[ -c "$STATE_DIR/fake-gpus/gpu$i" ]] || { rm -f "$STATE_DIR/fake-gpus/gpu$i"; mknod "$STATE_DIR/fake-gpus/gpu$i" c 1 3; }
    echo "NodeName=$NODE Name=gpu File=$STATE_DIR/fake-gpus/gpu$i" >>"$STATE_DIR/gres.conf"
  done
  gres_node="Gres=gpu:$FAKE_GPUS"
fi

cat >"$CONF" <<EOF
# Generated by slurm/local-cluster/start.sh; regenerated on every cold start.
ClusterName=kdbenchlocal
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE_DIR/jobcomp.txt
EnforcePartLimits=ALL
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
GresTypes=gpu
ReturnToService=2
KillWait=5
MinJobAge=600
InactiveLimit=0
MailProg=/bin/true
StateSaveLocation=$STATE_DIR/ctld
SlurmdSpoolDir=$STATE_DIR/spool
SlurmctldPidFile=$STATE_DIR/slurmctld.pid
SlurmdPidFile=$STATE_DIR/slurmd.pid
SlurmctldLogFile=$STATE_DIR/slurmctld.log
SlurmdLogFile=$STATE_DIR/slurmd.log
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus $topology RealMemory=$memory $gres_node State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

# ---- daemons ------------------------------------------------------------------------------------
# Fresh logs per cold start, so a failure shows this start's lines (the previous ones stay in .old).
for log in slurmctld.log slurmd.log; do
  if [[ -f "$STATE_DIR/$log" ]]; then mv -f "$STATE_DIR/$log" "$STATE_DIR/$log.old"; fi
done
started=$(date +%s)
# -c: clean state, so no job of an earlier session comes back.
SLURM_CONF="$CONF" slurmctld -c || show_logs_and_die "slurmctld failed to start"
SLURM_CONF="$CONF" slurmd -N "$NODE" || show_logs_and_die "slurmd failed to start"

while :; do
  for daemon in slurmctld slurmd; do
    pid_alive "$STATE_DIR/$daemon.pid" "$daemon" || (( $(date +%s) - started < 3 )) ||
      show_logs_and_die "$daemon exited or wrote no pidfile; state dir $STATE_DIR"
  done
  state="$(node_state)"
  [[ "$state" == idle* ]] && break
  if (( $(date +%s) - started >= TIMEOUT )); then
    show_logs_and_die "node $NODE not idle after ${TIMEOUT}s (state: '${state:-no answer}'); state dir $STATE_DIR"
  fi
  sleep 0.5
done
if ! pid_alive "$STATE_DIR/slurmctld.pid" slurmctld || ! pid_alive "$STATE_DIR/slurmd.pid" slurmd; then
  show_logs_and_die "node is up but the daemons' pidfiles in $STATE_DIR are missing or stale"
fi

say "up: node $NODE idle, $cpus CPUs, $FAKE_GPUS fake GPUs, partition debug ($(( $(date +%s) - started ))s)"
print_exports
