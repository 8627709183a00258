#!/usr/bin/env bash
# Tear down the single-node Slurm cluster that start.sh brought up: cancel its jobs, then end
# exactly the daemons whose PIDs start.sh recorded in the state dir (never by name, so other
# people's processes on a shared machine are safe). Safe to run when nothing is up.
#
# Environment: KDBENCH_SLURM_DIR (default /tmp/kdbench-slurm), as for start.sh.
set -euo pipefail

STATE_DIR="${KDBENCH_SLURM_DIR:-/tmp/kdbench-slurm}"
CONF="$STATE_DIR/slurm.conf"
PATH="$PATH:/usr/sbin:/sbin"

say() { echo "stop.sh: $*" >&2; }
die() { echo "stop.sh: error: $*" >&2; exit 1; }

[[ "$(id -u)" -eq 0 ]] || die "must run as root (the daemons run as root and munge); try: sudo $0"

# Prints the PID in a pidfile if that process is alive and is the expected program; a stale
# pidfile (after a reboot) may name an unrelated process, which must not be touched.
live_pid() {  # pidfile program
  local pid
  [[ -r "$1" ]] || return 1
  pid="$(tr -dc '0-9' <"$1")"
  [[ -n "$pid" && -r "/proc/$pid/comm" ]] || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2" ]] || return 1
  echo "$pid"
}

# TERM to every recorded daemon at once (each takes ~2 s to shut down), then wait for them;
# SIGKILL whatever still runs after 10 s.
stop_daemons() {  # program...
  local program pid
  local -A pids=()
  for program in "$@"; do
    if pid="$(live_pid "$STATE_DIR/$program.pid" "$program")"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids[$program]="$pid"
    fi
  done
  for program in "${!pids[@]}"; do
    pid="${pids[$program]}"
    for _ in $(seq 100); do
      [[ -d "/proc/$pid" ]] || break
      sleep 0.1
    done
    if [[ -d "/proc/$pid" ]]; then
      say "$program ($pid) ignored SIGTERM for 10 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped $program ($pid)"
  done
  for program in "$@"; do rm -f "$STATE_DIR/$program.pid"; done
}

# Jobs first: their slurmstepd processes would otherwise outlive slurmd.
if live_pid "$STATE_DIR/slurmctld.pid" slurmctld >/dev/null && [[ -r "$CONF" ]]; then
  jobs="$(SLURM_CONF="$CONF" squeue -h -o '%A' 2>/dev/null || true)"
  if [[ -n "$jobs" ]]; then
    # shellcheck disable=SC2086  # one id per word
    SLURM_CONF="$CONF" scancel $jobs 2>/dev/null || true
    for _ in $(seq 50); do
      [[ -z "$(SLURM_CONF="$CONF" squeue -h -o '%A' 2>/dev/null || true)" ]] && break
      sleep 0.2
    done
    say "cancelled jobs: ${jobs//$'\n'/ }"
  fi
fi

# munged only if start.sh started it (start.sh writes munged.pid only then).
stop_daemons slurmd slurmctld munged
