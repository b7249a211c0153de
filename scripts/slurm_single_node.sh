#!/usr/bin/env bash
# Single-node Slurm (controller and compute on this host) from Debian's packages,
# for machines where systemd is not running: the daemons are launched directly.
# Usage, as root: slurm_single_node.sh start|stop|status  [env START_TIMEOUT=60 (s)]
set -euo pipefail

conf=/etc/slurm/slurm.conf
log_dir=/var/log/slurm
ctld_state=/var/lib/slurm/slurmctld
slurmd_spool=/var/lib/slurm/slurmd
munge_key=/etc/munge/munge.key
node=$(hostname -s)
timeout=${START_TIMEOUT:-60}
marker="# written by slurm_single_node.sh"

# $1: a pid file named after its daemon. The name guards against a reused pid; the
# state against zombies, as PID 1 in a container may be slow to reap orphans.
alive() {
  local p; p=$(cat "$1" 2>/dev/null) || return 1
  [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$(basename "$1" .pid)" ] && ! grep -q ') Z' "/proc/$p/stat"
}
wait_gone() { local _; for _ in $(seq $((5 * $2))); do alive "$1" || return 0; sleep 0.2; done; ! alive "$1"; }
# Asked only while slurmctld runs: sinfo retries an absent controller for ~10 s.
node_state() {
  if alive /run/slurmctld.pid; then sinfo -h -N -n "$node" -o %T 2>/dev/null | head -n1 || true; fi
}
# Up means usable. slurmctld restores "idle" from saved state before slurmd has
# said a word, so slurmd must also have registered since $1 (0: ever).
ready() {
  case "$(node_state)" in idle|mixed|allocated|completing) ;; *) return 1 ;; esac
  alive /run/slurmd.pid && alive /run/munge/munged.pid || return 1
  local t; t=$(scontrol -o show node "$node" 2>/dev/null | sed -n 's/.*SlurmdStartTime=\([^ ]*\).*/\1/p')
  [ -n "$t" ] && [ "$t" != None ] && [ "$(date -d "$t" +%s)" -ge "$1" ]
}

fail() {
  echo "slurm: $*" >&2
  tail -n 15 /var/log/munge/munged.log "$log_dir"/*.log "$log_dir"/*.stderr >&2 2>/dev/null || true
  exit 1
}

install_packages() {
  local missing=() p
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "slurm: installing ${missing[*]}"
  apt-get update -qq
  # Without an init system the postinst scripts' service starts only warn.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

write_conf() {
  # An admin's own config is kept aside rather than lost.
  if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then cp -n "$conf" "$conf.orig"; fi
  local hw mem addr=""
  # slurmd's own count of sockets and cores, so that its registration matches.
  hw=$(slurmd -C 2>/dev/null | sed -n 's/^NodeName=[^ ]* \(CPUs=.*\) RealMemory=.*/\1/p')
  # Under the total, lest slurmd report less and the node be drained (Low RealMemory).
  mem=$(awk '/^MemTotal:/ {print int($2 / 1024 * 0.97)}' /proc/meminfo)
  # Without a resolvable host name the daemons cannot find each other.
  getent hosts "$node" >/dev/null || addr=127.0.0.1
  cat >"$conf" <<EOF
$marker; rewritten on each start
ClusterName=single
SlurmctldHost=$node${addr:+($addr)}
SlurmUser=slurm
StateSaveLocation=$ctld_state
SlurmdSpoolDir=$slurmd_spool
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
# No cgroups: containers rarely offer a writable cgroup tree.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
# Debian installs no mail program; without one slurmctld logs an error.
MailProg=/bin/true
# Jobs share the node core by core, so array tasks run side by side.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Queued batch jobs otherwise start up to 3 s after a core frees up.
SchedulerParameters=batch_sched_delay=0
# sbatch --wait backs off from 2 s polls to 32 s unless MinJobAge/2 caps it (the
# cost: finished jobs drop out of squeue and scontrol after a few seconds).
MinJobAge=5
# A node left DOWN by an unclean stop rejoins when its slurmd registers again.
ReturnToService=2
NodeName=$node${addr:+ NodeAddr=$addr} ${hw:-CPUs=$(nproc)} RealMemory=$mem State=UNKNOWN
PartitionName=main Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  [ "$(id -u)" -eq 0 ] || { echo "slurm: start needs root" >&2; exit 1; }
  if ready 0; then echo "slurm: already up, node $node is $(node_state)"; exit 0; fi
  install_packages
  # Debian's packages add this user; a hand-made install may not have.
  id slurm >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin slurm
  # munged refuses a key or directories that others can read or write.
  [ -s "$munge_key" ] || mungekey --create --keyfile="$munge_key"
  chown munge:munge "$munge_key"; chmod 0400 "$munge_key"
  # Debian leaves creating the socket dir in /run (a tmpfs) to systemd.
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
  # slurmctld drops to SlurmUser, which must own its state and log files.
  install -d -o slurm -g slurm -m 0755 "$ctld_state" "$log_dir"
  install -d -m 0755 "$slurmd_spool"
  write_conf
  # Each daemon forks itself away; stderr keeps errors from before its log is open.
  alive /run/munge/munged.pid || runuser -u munge -- munged 2>"$log_dir/munged.stderr" ||
    fail "munged did not start"
  alive /run/slurmctld.pid || slurmctld 2>"$log_dir/slurmctld.stderr" || fail "slurmctld did not start"
  local since=0 t0=$SECONDS state resumed=0
  if ! alive /run/slurmd.pid; then
    since=$(date +%s); slurmd 2>"$log_dir/slurmd.stderr" || fail "slurmd did not start"
  fi
  while [ $((SECONDS - t0)) -lt "$timeout" ]; do
    if ready "$since"; then echo "slurm: up, node $node is $(node_state)"; sinfo; return 0; fi
    state=$(node_state)
    # Drained or down in an earlier run's saved state: clear it once, for slurmd to re-register.
    case "$state" in drain*|down*)
      [ $resumed -eq 1 ] || { scontrol update nodename="$node" state=resume && resumed=1; } ;;
    esac
    sleep 0.5
  done
  fail "node $node not up after ${timeout}s (state: ${state:-no answer from slurmctld}," \
    "reason: $(sinfo -h -N -n "$node" -o %E 2>/dev/null || echo none))"
}

stop() {
  if alive /run/slurmctld.pid; then
    local n; n=$(squeue -h -t running 2>/dev/null | wc -l)
    # Job steps belong to slurmstepd, not slurmd, and outlive a shutdown.
    [ "$n" -eq 0 ] || echo "slurm: $n job(s) keep running and rejoin at the next start; scancel ends them"
    # Tells every slurmd to exit too, and lets slurmctld save its state.
    scontrol shutdown >/dev/null 2>&1 || true
  fi
  local f; for f in /run/slurmctld.pid /run/slurmd.pid /run/munge/munged.pid; do
    # Signal what ignored the shutdown (munged, or a slurmd whose controller had died).
    [ "$f" = /run/munge/munged.pid ] || wait_gone "$f" 5 || true
    if alive "$f"; then kill -TERM "$(cat "$f")" 2>/dev/null || true; fi
    wait_gone "$f" 10 || kill -KILL "$(cat "$f")" 2>/dev/null || true
  done
  echo "slurm: stopped"
}

status() {
  if ready 0; then echo "slurm: up, node $node is $(node_state)"; sinfo; squeue; return 0; fi
  echo "slurm: not up (node $node: $(node_state | grep . || echo "no answer from slurmctld"))"
  local f; for f in /run/munge/munged.pid /run/slurmctld.pid /run/slurmd.pid; do
    echo "  $(basename "$f" .pid) $(alive "$f" && echo running || echo "not running")"
  done
  return 3
}

case "${1:-}" in
  start|stop|status) "$1" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
