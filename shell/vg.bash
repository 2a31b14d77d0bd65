# shellcheck shell=bash
# shellcheck disable=SC2016 # messages quote `vg …` commands literally
#
# vg — Vectra Guard: every command line is judged before it runs (host, sandbox, ask, or block).
# Printed by `vg init bash`. Add to ~/.bashrc:
#
#     eval "$(vg init bash)"
#
# How it works (docs/shell.md): Enter is bound to a `bind -x` hook that sends the whole buffer to a
# resident analyzer (`vg serve`, a coproc started lazily) and waits a bounded time for the verdict.
# host → the line is accepted unchanged; anything else → the buffer becomes `__vg_run`, which runs
# the sandbox invocation, asks, or refuses; history keeps the typed text.

# === guard: interactive bash ≥ 4.0 only, and only once =========================================
if [[ $- == *i* && -z ${__vg_loaded-} && ${BASH_VERSINFO[0]:-0} -ge 4 ]]; then
__vg_loaded=1

# === settings (vg init fills in the command that starts vg) ====================================
__vg_cmd=(command vg) # vg-init:cmd
__vg_session="bash-$$-${EPOCHSECONDS:-$RANDOM}"
__VG_STATE=on
__vg_timeout_ms=500          # replaced by the analyzer's hello (shell.analyzer_timeout_ms)
__vg_fallback=host           # shell.fallback: host | block
__vg_startup_ms=5000         # a server that has not said hello yet may take this long
__vg_seq=0
__vg_srv_pid=
__vg_hello=0
__vg_fast=0                  # 1 once greeted (and /proc is there): __vg_accept may take its short path
__vg_d=                      # reports (D lines) waiting to ride along with the next request
__vg_rfile=                  # where the analyzer puts long answers (hello), read when it sends F
__vg_mode=
__vg_env_sent=
__vg_pending=                # id of the line that is running (reported by __vg_precmd)
__vg_how=
__vg_t0=
__vg_x_dec=                  # what __vg_run does: block | sandbox | prompt | fallback
__vg_x_line=
__vg_x_cmd=
__vg_x_notice=
__vg_defs=                    # definitions of this shell's aliases/functions the line uses (request fields)
__vg_defd=' '                 # … and their names, space-delimited
__vg_jfl=                     # request flags for them (i: the shell stopped following callees)
__vg_ffn=0                    # function definitions written to files for this line (__vg_fnfile)
__vg_hist_saved=
__vg_hist_mode=
__vg_accept_mode=accept
__vg_timeout_s=0.500000      # __vg_timeout_ms as read -t wants it
__vg_proc=0                  # /proc/PID tells liveness without a kill -0 (and its 2>/dev/null)
declare -gA __vg_envs=()     # the exported environment as the analyzer has it (__vg_env_scan)
__vg_env_dump=               # … and as `declare -px` printed it then (__vg_env_changed)
[[ -d /proc/$$ ]] && __vg_proc=1

# === clock ======================================================================================
__vg_now_us() {
  if [[ -n ${EPOCHREALTIME-} ]]; then
    local t=${EPOCHREALTIME/[.,]/}
    __vg_us=$((10#$t))
  else
    __vg_us=$((SECONDS * 1000000))
  fi
}

# === the resident analyzer =====================================================================
# Off the common path (that one tests /proc/PID inline): an analyzer that exited while judging a
# line keeps its /proc entry until bash reaps it, so the state field is read — Z is gone.
__vg_alive() {
  [[ -n ${__VG_SERVE[1]-} && -n $__vg_srv_pid ]] || return 1
  if ((__vg_proc)); then
    local st=
    { IFS= builtin read -r st <"/proc/$__vg_srv_pid/stat"; } 2>/dev/null || return 1
    [[ $st != *') Z '* ]]
  else
    builtin kill -0 "$__vg_srv_pid" 2>/dev/null
  fi
}

__vg_start() {
  if [[ -n ${__VG_SERVE[1]-} ]]; then
    { builtin eval "exec ${__VG_SERVE[1]}>&- ${__VG_SERVE[0]}<&-"; } 2>/dev/null
  fi
  # The braces silence bash's job notice and its "coproc still exists" warning after a restart.
  { coproc __VG_SERVE { builtin exec "${__vg_cmd[@]}" serve --shell bash --session "$__vg_session" --pid "$$" 2>/dev/null; }; } 2>/dev/null
  __vg_srv_pid=${__VG_SERVE_PID-}
  builtin disown "$__vg_srv_pid" 2>/dev/null
  __vg_envs=()
  __vg_env_scan snap
  __vg_env_dump=
  __vg_hello=0 __vg_fast=0 __vg_d=
  __vg_env_sent=
  __vg_now_us
  __vg_started_us=$__vg_us
}

# Write one request. A server that died between the liveness check and the write must not take
# the shell with it (SIGPIPE kills an interactive bash), so SIGPIPE is ignored for the write only.
__vg_send() {
  __vg_alive || return 1
  __vg_write "$1"
}
# The same without the liveness check, for callers that just made it (or will make it after).
__vg_write() {
  [[ -n ${__VG_SERVE[1]-} ]] || return 1
  builtin trap '' PIPE
  builtin printf '%s\n' "$1" 2>/dev/null 1>&"${__VG_SERVE[1]}"
  local rc=$?
  builtin trap - PIPE
  return $rc
}

# Aliases and functions live only in this shell: a sandbox runs a fresh `bash -c` that has neither.
# So the analyzer judges — and a sandbox runs — what they stand for. The hook sends the definitions
# of the names (space-separated in $1) that are aliases or functions here: the analyzer expands the
# aliases where bash would and puts the function definitions in front (function bodies are judged
# like any code). The first word is looked at before asking; the analyzer names the line's other
# callees in its answer (__vg_resolve), a name on no PATH marked `?`. vg's own function is left
# alone: `vg …` lines are judged as typed. 0: something new was added.
__vg_define() {
  local rest=$1 w new=1
  while [[ -n $rest ]]; do
    w=${rest%% *}
    rest=${rest#"$w"}
    rest=${rest# }
    # `?`: on no PATH — with no alias or function of that name, bash runs its not-found handler.
    if [[ $w == '?'* ]]; then
      w=${w#'?'}
      if [[ -z ${BASH_ALIASES[$w]+x} ]] && ! builtin declare -F -- "$w" >/dev/null; then
        __vg_define command_not_found_handle && new=0
        continue
      fi
    fi
    [[ -n $w && $w != vg && $__vg_defd != *" $w "* ]] || continue
    __vg_defd+="$w "
    if [[ -n ${BASH_ALIASES[$w]+x} ]]; then
      __vg_esc "${BASH_ALIASES[$w]}"
      __vg_defs+=$'\t'"a:$w"$'\t'"$__vg_e" new=0
    fi
    if builtin declare -F -- "$w" >/dev/null; then
      if __vg_fnfile "$w"; then
        __vg_esc "$__vg_ff"
        __vg_defs+=$'\t'"p:$w"$'\t'"$__vg_e" new=0
      else
        __vg_esc "$(builtin declare -f -- "$w")"
        __vg_defs+=$'\t'"f:$w"$'\t'"$__vg_e" new=0
      fi
    fi
  done
  return $new
}

# Function $1's definition, written to a file in the analyzer's private directory (the reply file's,
# mode 0700) whose path is __vg_ff: the analyzer reads it there. Not $(declare -f) and an escaped
# copy in the request: the fork costs milliseconds in an interactive bash (its heap's pages are
# copied as it writes them), and bash escapes a long text slowly (~1 ms per KB). 1: no such
# directory (no hello yet): the caller sends the text.
__vg_fnfile() {
  [[ -n $__vg_rfile ]] || return 1
  __vg_ffn=$((__vg_ffn + 1))
  __vg_ff=${__vg_rfile%/*}/fn-$__vg_ffn
  builtin declare -f -- "$1" 2>/dev/null >"$__vg_ff"
}

# The verdict for line $1 names callees: while any of them is an alias or a function here that was
# not sent yet, judge again with its definition (an alias's text or a function's body may call
# more). 0 with __vg_r_* set; 1 when the analyzer could not answer.
# Past 8 rounds it stops following and asks once more with flag i: the analyzer then judges the line
# at least medium (sandboxed, not run on the host with functions nobody judged). Past 64 KB of
# definitions (a whole library, like nvm's) the analyzer does the same itself and names no more callees.
__vg_resolve() {
  local round=0
  while ((round++ < 8)); do
    [[ -n $__vg_r_callees ]] && __vg_define "$__vg_r_callees" || return 0
    __vg_judge "$1" || return 1
  done
  [[ -n $__vg_r_callees ]] && __vg_define "$__vg_r_callees" || return 0
  __vg_jfl=i
  __vg_judge "$1"
}

__vg_esc() {
  # Most lines hold none of the escaped characters: skip the four substitutions.
  if [[ $1 != *[$'\\\t\n\r']* ]]; then
    __vg_e=$1
    return
  fi
  local s=${1//\\/\\\\}
  s=${s//$'\t'/\\t}
  s=${s//$'\n'/\\n}
  __vg_e=${s//$'\r'/\\r}
}

# Keep the analyzer's view of the environment current (it judges with PATH, HOME, VG_AGENT).
__vg_sync_env() {
  local cur="${PATH-}"$'\x1f'"${HOME-}"$'\x1f'"${VG_AGENT-}"
  [[ $cur == "$__vg_env_sent" ]] && return 0
  __vg_esc "${PATH-}"; __vg_send "E"$'\t'"PATH"$'\t'"$__vg_e" || return 1
  __vg_esc "${HOME-}"; __vg_send "E"$'\t'"HOME"$'\t'"$__vg_e" || return 1
  if [[ -n ${VG_AGENT-} ]]; then __vg_send "E"$'\t'"VG_AGENT"$'\t'"1"; else __vg_send "U"$'\t'"VG_AGENT"; fi || return 1
  __vg_env_sent=$cur
}

# === the environment a sandboxed line gets =====================================================
# A sandbox starts from the analyzer's copy of the environment: what the shell exported when the
# analyzer started, kept current by E/U. Before a line goes to the sandbox, every exported variable
# that changed since is sent and the line judged again, so `export NODE_ENV=production` reaches the
# next sandboxed build (secret-looking names are still dropped by the sandbox plan). Not per line:
# listing the variables costs ~1 ms. $1: send (0: something was sent) | snap (the analyzer just
# started with this environment).
__vg_env_scan() {
  # ${!n@a} (a variable's attributes) needs bash 4.4; an older bash keeps the analyzer's start-up copy.
  ((BASH_VERSINFO[0] > 4 || BASH_VERSINFO[1] >= 4)) || return 1
  local n v sent=1
  local -A seen=()
  for n in ${!A*} ${!B*} ${!C*} ${!D*} ${!E*} ${!F*} ${!G*} ${!H*} ${!I*} ${!J*} ${!K*} ${!L*} ${!M*} ${!N*} ${!O*} ${!P*} ${!Q*} ${!R*} ${!S*} ${!T*} ${!U*} ${!V*} ${!W*} ${!X*} ${!Y*} ${!Z*} ${!a*} ${!b*} ${!c*} ${!d*} ${!e*} ${!f*} ${!g*} ${!h*} ${!i*} ${!j*} ${!k*} ${!l*} ${!m*} ${!n*} ${!o*} ${!p*} ${!q*} ${!r*} ${!s*} ${!t*} ${!u*} ${!v*} ${!w*} ${!x*} ${!y*} ${!z*} ${!_*}; do
    [[ ${!n@a} == *x* && $n != _ && $n != READLINE_* ]] || continue
    seen[$n]=1
    v=${!n}
    [[ -n ${__vg_envs[$n]+x} && ${__vg_envs[$n]} == "$v" ]] && continue
    __vg_envs[$n]=$v
    [[ $1 == send ]] || continue
    __vg_esc "$v"
    __vg_write "E"$'\t'"$n"$'\t'"$__vg_e" && sent=0
  done
  for n in "${!__vg_envs[@]}"; do
    [[ -n ${seen[$n]+x} ]] && continue
    builtin unset "__vg_envs[$n]"
    [[ $1 == send ]] && __vg_write "U"$'\t'"$n" && sent=0
  done
  return $sent
}

# Has the exported environment changed since the last scan? `declare -px` into the analyzer's
# private directory and read back — no fork, ~0.1 ms on tmpfs — against ~2 ms for the scan, which
# then runs only when this text differs. 0: changed, or no directory to compare with.
__vg_env_changed() {
  [[ -n $__vg_rfile ]] || return 0
  local f=${__vg_rfile%/*}/env cur=
  # Inside a bind -x hook bash exports the buffer (READLINE_LINE…) to the commands it runs: not the
  # user's environment, and it differs with every line.
  builtin export -n READLINE_LINE READLINE_POINT READLINE_MARK READLINE_ARGUMENT 2>/dev/null
  builtin declare -px >"$f" 2>/dev/null || return 0
  IFS= builtin read -r -d '' cur <"$f"
  # Exported secrets do not stay in a file: emptied once read (a builtin, no rm to fork).
  : >"$f"
  [[ -n $cur && $cur == "$__vg_env_dump" ]] && return 1
  __vg_env_dump=$cur
  return 0
}

# The verdict sends line $1 to a sandbox (or may, after a question): judge it again if the analyzer's
# environment was behind.
__vg_fresh_env() {
  [[ $__vg_r_dec == sandbox || $__vg_r_dec == prompt ]] || return 0
  __vg_env_changed || return 0
  __vg_env_scan send || return 0
  __vg_judge "$1"
}

# Read until the answer for id $1 arrives or the time is up; sets __vg_r_*. With $2 = held, the
# line __vg_accept already read (in __vg_rk …) is looked at first.
__vg_recv() {
  local id=$1 held=${2-} rest left secs=$__vg_timeout_s split
  local limit=$__vg_timeout_ms
  ((__vg_hello)) || limit=$__vg_startup_ms secs=
  [[ -n $held ]] && secs=
  __vg_now_us
  local deadline=$((__vg_us + limit * 1000))
  while :; do
    if [[ -z $held ]]; then
      # The first wait is the whole allowance (precomputed); a later one (after a hello or a stale
      # answer) what is left of it.
      if [[ -z $secs ]]; then
        __vg_now_us
        left=$((deadline - __vg_us))
        ((left > 0)) || return 1
        printf -v secs '%d.%06d' $((left / 1000000)) $((left % 1000000))
      fi
      IFS=$'\x1f' builtin read -r -t "$secs" -u "${__VG_SERVE[0]}" __vg_rk __vg_rid __vg_rdec __vg_rrest 2>/dev/null || return 1
      secs=
    fi
    held=
    split=0
    __vg_r_callees=''
    # F: the answer is in the reply file (a regular file: read in one go, not a byte per syscall),
    # split into its fields by `read` itself — splitting the ~6 KB of a sandbox answer with
    # parameter expansion cost ~0.7 ms here.
    if [[ $__vg_rk == F && $__vg_rid == "$id" ]]; then
      [[ -n $__vg_rfile ]] && IFS=$'\x1f' builtin read -r __vg_rk __vg_rid __vg_rdec __vg_rf4 __vg_rf5 __vg_rf6 __vg_rf7 __vg_rrest <"$__vg_rfile" 2>/dev/null || return 1
      split=1
    fi
    rest=$__vg_rrest
    case $__vg_rk in
      V)
        # hello: V version pid timeout fallback notice mode reply_file (rest: from timeout on)
        __vg_hello=1 __vg_fast=$__vg_proc
        local t=${rest%%$'\x1f'*} fb
        rest=${rest#*$'\x1f'}
        fb=${rest%%$'\x1f'*}
        rest=${rest#*$'\x1f'}
        rest=${rest#*$'\x1f'}
        if [[ $t =~ ^[0-9]+$ ]]; then
          __vg_timeout_ms=$t
          printf -v __vg_timeout_s '%d.%06d' $((t / 1000)) $((t % 1000 * 1000))
        fi
        [[ $fb == host || $fb == block ]] && __vg_fallback=$fb
        __vg_mode=${rest%%$'\x1f'*}
        [[ $rest == *$'\x1f'* ]] && __vg_rfile=${rest#*$'\x1f'}
        limit=$__vg_timeout_ms
        __vg_now_us
        deadline=$((__vg_us + limit * 1000))
        ;;
      H)
        [[ $__vg_rid == "$id" ]] || continue
        __vg_r_dec=host __vg_r_risk='' __vg_r_notice='' __vg_r_cmd='' __vg_r_callees=$__vg_rdec
        return 0
        ;;
      R)
        [[ $__vg_rid == "$id" ]] || continue
        if ((split)); then
          __vg_r_dec=$__vg_rdec __vg_r_risk=$__vg_rf4 __vg_r_notice=$__vg_rf5 __vg_r_cmd=$__vg_rf6 __vg_r_callees=$__vg_rf7
          __vg_rf6=''
          return 0
        fi
        __vg_r_dec=$__vg_rdec __vg_r_risk=${rest%%$'\x1f'*}
        rest=${rest#*$'\x1f'}
        __vg_r_notice=${rest%%$'\x1f'*}
        rest=${rest#*$'\x1f'}
        __vg_r_cmd=${rest%%$'\x1f'*}
        [[ $rest == *$'\x1f'* ]] && __vg_r_callees=${rest#*$'\x1f'}
        return 0
        ;;
    esac
  done
}

# Judge $1 (with the definitions in __vg_defs): 0 with __vg_r_* set, 1 when the analyzer could not
# answer (__vg_r_why says why).
# Off the common path (that one is __vg_accept's own): escapes, syncs the environment, and starts a
# fresh analyzer and asks again when the first one is gone.
__vg_judge() {
  __vg_r_dec='' __vg_r_notice='' __vg_r_cmd='' __vg_r_risk='' __vg_r_why='' __vg_r_callees=''
  local try line
  for try in 1 2; do
    if ! __vg_alive; then
      __vg_start
      if ! __vg_alive; then __vg_r_why='the analyzer could not start'; return 1; fi
    fi
    __vg_sync_env
    __vg_seq=$((__vg_seq + 1))
    __vg_esc "$1"; line=$__vg_e
    __vg_esc "$PWD"
    line="${__vg_d}J"$'\t'"$__vg_seq"$'\t'"$__vg_e"$'\t'"$line"
    [[ -n $__vg_defs || -n $__vg_jfl ]] && line+=$'\t'"$__vg_jfl$__vg_defs"
    __vg_write "$line" && __vg_d= && __vg_recv "$__vg_seq" && break
    # Dead (killed, crashed): start a fresh one and ask again, with the start-up allowance.
    if ((try == 1)) && ! __vg_alive; then continue; fi
    if __vg_alive; then __vg_r_why="no answer within ${__vg_timeout_ms} ms"; else __vg_r_why='the analyzer exited'; fi
    return 1
  done
  if [[ $__vg_r_dec == error ]]; then __vg_r_why="analyzer error: $__vg_r_notice"; return 1; fi
  return 0
}

# The fallback runs lines unchecked; never one that plainly destroys HOME or the system.
__vg_plainly_critical() {
  local rm='(^|[;&|({[:space:]])rm[[:space:]]+(-[a-zA-Z]*[rRf]|--recursive|--force)'
  local tgt='([[:space:]]/|[[:space:]]~|\$HOME|\$\{HOME\}|/\*)'
  local other='(mkfs|wipefs|of=/dev/|:\(\)[[:space:]]*\{)'
  [[ $1 =~ $rm && $1 =~ $tgt ]] || [[ $1 =~ $other ]]
}

__vg_say() { builtin printf '%s\n' "${1//$'\x1e'/$'\n'}" >&2; }

# === history: keep what was typed, not `__vg_run` ================================================
__vg_hist_hide() {
  [[ -o history ]] || return 0
  builtin history -s -- "$1"
  # The accepted buffer is `__vg_run`: HISTIGNORE keeps bash from recording it; __vg_run restores.
  if [[ ${HISTIGNORE+set} ]]; then __vg_hist_mode=set __vg_hist_saved=$HISTIGNORE; else __vg_hist_mode='unset'; fi
  HISTIGNORE='__vg_run'
}
__vg_hist_restore() {
  case $__vg_hist_mode in
    set) HISTIGNORE=$__vg_hist_saved ;;
    unset) builtin unset HISTIGNORE ;;
  esac
  __vg_hist_mode=
}

# === Enter ======================================================================================
__vg_set_accept() {
  [[ $__vg_accept_mode == "$1" ]] && return
  __vg_accept_mode=$1
  local km
  for km in emacs vi-insert vi-command; do
    if [[ $1 == accept ]]; then
      builtin bind -m "$km" '"\e[9999;2~": accept-line'
      builtin bind -m "$km" '"\e[9999;4~": operate-and-get-next'
    else
      builtin bind -m "$km" '"\e[9999;2~": ""'
      builtin bind -m "$km" '"\e[9999;4~": ""'
    fi
  done
}

# The Enter hook (bind -x), also listed in PROMPT_COMMAND (see __vg_install), where it does nothing.
# Cost model (docs/shell.md, "Numbers"): bash copies a function's body on every call, and after the
# previous command's fork every heap page it writes costs a copy-on-write fault (tens of µs on a
# VM). So this body is the common case only — analyzer up, nothing to escape or expand, a host
# verdict — one write and one read; anything else goes to __vg_accept_slow / __vg_verdict.
__vg_accept() {
  [[ ${READLINE_LINE+set} ]] || return 0
  if [[ $__vg_fast == 1 && $__VG_STATE == on && -e /proc/$__vg_srv_pid && -z ${bash_preexec_imported-} && $READLINE_LINE$PWD != *[$'\\\t\n\r!^']* &&
    $READLINE_LINE != *vg* && ${PATH-}$'\x1f'${HOME-}$'\x1f'${VG_AGENT-} == "$__vg_env_sent" ]]; then
    __vg_w=${READLINE_LINE#"${READLINE_LINE%%[![:space:]]*}"}
    __vg_w=${__vg_w%%[[:space:];|&<>()]*}
    if [[ -n $__vg_w && -z ${BASH_ALIASES[$__vg_w]+x} ]] && ! builtin declare -F -- "$__vg_w" >/dev/null; then
      __vg_t0=$EPOCHREALTIME __vg_seq=$((__vg_seq + 1))
      builtin trap '' PIPE
      builtin printf '%sJ\t%s\t%s\t%s\n' "$__vg_d" "$__vg_seq" "$PWD" "$READLINE_LINE" 2>/dev/null 1>&"${__VG_SERVE[1]}"
      builtin trap - PIPE
      __vg_d='' __vg_rk=''
      IFS=$'\x1f' builtin read -r -t "$__vg_timeout_s" -u "${__VG_SERVE[0]}" __vg_rk __vg_rid __vg_rdec __vg_rrest 2>/dev/null
      if [[ $__vg_rk == H && $__vg_rid == "$__vg_seq" && -z $__vg_rdec ]]; then
        __vg_pending=$__vg_seq __vg_how=host
        return 0
      fi
      __vg_verdict
      return 0
    fi
  fi
  __vg_accept_slow
}

# Everything the common case in __vg_accept leaves out: bash-preexec, a continued multi-line buffer,
# `vg on|off|status`, history expansion, aliases and functions, a (re)starting analyzer, escapes.
__vg_accept_slow() {
  # bash-preexec's DEBUG trap fired for this bind -x call and, seeing a PROMPT_COMMAND entry,
  # left its "a typed command comes next" state alone… after clearing it: set it back.
  [[ -n ${bash_preexec_imported-} ]] && __bp_preexec_interactive_mode=on
  [[ $__vg_accept_mode == accept ]] || __vg_set_accept accept
  [[ $__VG_STATE == off ]] && return
  local line=$READLINE_LINE
  [[ $line == *[![:space:]]* ]] || return
  __vg_t0=${EPOCHREALTIME-}
  # vg on / off / status act on this shell: no analyzer needed. (The glob first: a regex match
  # compiles the pattern each time, which is most of the allocations of a line.)
  if [[ $line == *vg* && $line =~ ^[[:space:]]*vg[[:space:]]+(on|off|status)([[:space:]]+-[-a-z]+)*[[:space:]]*$ ]]; then
    return
  fi
  # History expansion happens after Enter: judge what bash will actually run.
  local judged=$line
  if [[ $- == *H* && ( $line == *'!'* || $line == '^'* ) ]]; then
    local ex
    ex=$(builtin history -p -- "$line" 2>/dev/null) && judged=$ex
  fi
  # A line that starts with an alias or a function is sent with its definition.
  local w=${judged#"${judged%%[![:space:]]*}"}
  w=${w%%[[:space:];|&<>()]*}
  __vg_defs='' __vg_defd=' ' __vg_jfl='' __vg_ffn=0
  [[ -n $w ]] && __vg_define "$w"
  __vg_judge "$judged" && __vg_resolve "$judged" && __vg_fresh_env "$judged"
  __vg_act "$judged" $?
}

# The common path's answer was not a plain host verdict: finish reading it (a stale answer first, a
# dead or slow analyzer), then act on it as __vg_accept_slow would.
__vg_verdict() {
  __vg_r_dec='' __vg_r_notice='' __vg_r_cmd='' __vg_r_risk='' __vg_r_why='' __vg_r_callees=''
  __vg_defs='' __vg_defd=' ' __vg_jfl='' __vg_ffn=0
  local ok=0
  if [[ -n $__vg_rk ]] && __vg_recv "$__vg_seq" held; then
    if [[ $__vg_r_dec == error ]]; then
      __vg_r_why="analyzer error: $__vg_r_notice" ok=1
    else
      __vg_resolve "$READLINE_LINE" && __vg_fresh_env "$READLINE_LINE" || ok=1
    fi
  elif __vg_alive; then
    __vg_r_why="no answer within ${__vg_timeout_ms} ms" ok=1
  else
    # Dead (killed, crashed): start a fresh one and ask again.
    __vg_judge "$READLINE_LINE" && __vg_resolve "$READLINE_LINE" && __vg_fresh_env "$READLINE_LINE"
    ok=$?
  fi
  __vg_act "$READLINE_LINE" $ok
}

# Act on the verdict for line $1 (__vg_r_*); $2: 0 judged, 1 the analyzer could not answer.
__vg_act() {
  local judged=$1
  if (($2)); then
    __vg_pending=$__vg_seq __vg_how=fallback
    if [[ $__vg_fallback == block ]] || __vg_plainly_critical "$judged"; then
      __vg_x_dec=fallback __vg_x_line=$judged __vg_x_notice="vg: $__vg_r_why — line not run (shell.fallback: $__vg_fallback); \`vg off\` suspends checking"
      __vg_hist_hide "$judged"
      READLINE_LINE=__vg_run READLINE_POINT=8
    else
      __vg_say "vg: $__vg_r_why — running on the host unchecked (shell.fallback: host)"
    fi
    return
  fi
  case $__vg_r_dec in
    more)
      # Incomplete (open quote, loop, heredoc, trailing | or \): keep editing one buffer.
      __vg_set_accept newline
      READLINE_LINE+=$'\n'
      READLINE_POINT=${#READLINE_LINE}
      ;;
    host)
      __vg_pending=$__vg_seq __vg_how=host
      [[ -n $__vg_r_notice ]] && __vg_say "$__vg_r_notice"
      ;;
    *)
      __vg_pending=$__vg_seq __vg_how=$__vg_r_dec
      __vg_x_dec=$__vg_r_dec __vg_x_line=$judged __vg_x_cmd=$__vg_r_cmd __vg_x_notice=$__vg_r_notice
      __vg_hist_hide "$judged"
      READLINE_LINE=__vg_run
      READLINE_POINT=8
      ;;
  esac
}

# Redraw the accepted line as typed (the terminal shows `__vg_run` otherwise). The prompt is
# re-expanded only when that is side-effect free (no command substitution in PS1).
__vg_redraw() {
  [[ -t 2 && ${TERM-dumb} != dumb ]] || return 0
  local p=
  if [[ $PS1 != *'$('* && $PS1 != *'`'* && ${BASH_VERSINFO[0]} -ge 5 ]]; then
    p=${PS1@P}
    p=${p##*$'\n'}
    while [[ $p == *$'\001'*$'\002'* ]]; do
      local a=${p%%$'\001'*} b=${p#*$'\002'}
      p=$a$b
    done
  fi
  local shown=$((${#p} + 8)) cols=${COLUMNS:-80} up
  ((cols > 0)) || cols=80
  up=$(((shown + cols - 1) / cols))
  ((up >= 1)) || up=1
  builtin printf '\e[%dA\r\e[J%s%s\n' "$up" "$p" "$1" >&2
}

__vg_ask() {
  # One key from the terminal, cooked mode restored whatever happens; Ctrl-C and Esc mean no.
  local saved key=
  saved=$(command stty -g </dev/tty 2>/dev/null)
  command stty -icanon -echo -isig min 1 time 0 </dev/tty 2>/dev/null
  builtin printf '%s ' "$1" >/dev/tty
  # dd, not `read -n 1`: bash's read turns ISIG back on, and Ctrl-C must be an answer, not a signal.
  key=$(command dd bs=1 count=1 2>/dev/null </dev/tty)
  [[ -n $saved ]] && command stty "$saved" </dev/tty 2>/dev/null
  case $key in
    s | S) __vg_key=s ;;
    y | Y) __vg_key=y ;;
    r | R) __vg_key=r ;;
    *) __vg_key=n ;;
  esac
  local word
  case $__vg_key in s) word=sandbox ;; y) word='yes, on the host' ;; r) word='remember, on the host' ;; *) word=no ;; esac
  builtin printf '%s\n' "$word" >/dev/tty
}

# Runs in place of a line that is not run on the host as typed.
__vg_run() {
  __vg_hist_restore
  local dec=$__vg_x_dec line=$__vg_x_line cmd=$__vg_x_cmd notice=$__vg_x_notice id=$__vg_pending
  __vg_x_dec='' __vg_x_cmd=''
  if [[ -z $dec ]]; then
    builtin printf 'vg: nothing to run\n' >&2
    return 1
  fi
  __vg_redraw "$line"
  case $dec in
    block | fallback)
      __vg_how=block
      __vg_say "$notice"
      return 126
      ;;
    prompt)
      if [[ -n ${VG_AGENT-} ]]; then
        __vg_key=s
      else
        __vg_ask "$notice"
      fi
      __vg_send "A"$'\t'"$id"$'\t'"$__vg_key"
      case $__vg_key in
        s)
          if [[ -z $cmd ]]; then
            __vg_how=error
            __vg_say 'vg: the sandbox cannot start here — run `vg doctor`'
            return 125
          fi
          __vg_how=sandbox
          builtin eval -- "$cmd"
          ;;
        y | r)
          __vg_how=host
          builtin eval -- "$line"
          ;;
        *)
          __vg_how=cancel
          return 126
          ;;
      esac
      ;;
    sandbox)
      if [[ -z $cmd ]]; then
        __vg_how=error
        __vg_say "$notice"
        return 125
      fi
      [[ -n $notice ]] && __vg_say "$notice"
      __vg_how=sandbox
      builtin eval -- "$cmd"
      ;;
  esac
}

# === after each line: report, restore, keep $? =================================================
# On every prompt, so as small as __vg_accept (see its cost note): the report for the line that
# just finished (status, start and end time) rides along with the next request (__vg_d) instead of
# waking the analyzer now.
__vg_precmd() {
  local st=$?
  if [[ -n $__vg_pending ]]; then
    __vg_d+="D"$'\t'"$__vg_pending"$'\t'"$st"$'\t\t'"$__vg_how"$'\t'"$__vg_t0"$'\t'"${EPOCHREALTIME-}"$'\n'
    __vg_pending=
  fi
  [[ -z $__vg_hist_mode && $__vg_accept_mode == accept && ( $__VG_STATE == off || -e /proc/${__vg_srv_pid:-x} ) ]] || __vg_precmd_slow
  return $st
}
__vg_precmd_slow() {
  [[ -n $__vg_hist_mode ]] && __vg_hist_restore
  [[ $__vg_accept_mode == accept ]] || __vg_set_accept accept
  # Start (or restart) the analyzer while the user reads the prompt, not when they press Enter.
  if [[ $__VG_STATE == on ]] && ! __vg_alive; then
    __vg_start
  fi
}

# === the `vg` function: on/off/status act on this shell =======================================
vg() {
  case ${1-} in
    off)
      if [[ -n ${VG_AGENT-} ]]; then
        builtin printf 'vg: `vg off` is refused in an agent session (VG_AGENT is set) — ask the person at the keyboard\n' >&2
        return 1
      fi
      __VG_STATE=off
      builtin printf 'vg: off — lines in this shell run unchecked until `vg on`\n' >&2
      ;;
    on)
      __VG_STATE=on
      __vg_alive || __vg_start
      builtin printf 'vg: on — this shell is guarded\n' >&2
      ;;
    status)
      shift
      __VG_STATE=$__VG_STATE __VG_SHELL=bash __VG_SERVER_PID=$__vg_srv_pid __VG_SESSION=$__vg_session \
        "${__vg_cmd[@]}" status "$@"
      ;;
    trust)
      if [[ -n ${VG_AGENT-} && ${2-} =~ ^(add|remove|rm|clear)$ ]]; then
        builtin printf 'vg: `vg trust %s` is refused in an agent session (VG_AGENT is set) — ask the person at the keyboard\n' "$2" >&2
        return 1
      fi
      "${__vg_cmd[@]}" "$@"
      ;;
    *) "${__vg_cmd[@]}" "$@" ;;
  esac
}

# === shell-expand-line (M-C-e) runs the line's command substitutions ===========================
# readline's shell-expand-line replaces `$(cmd)` with its output: it runs cmd with no Enter and no
# judgement. Its keys run __vg_expand_check first, which lets the expansion go ahead (the next key
# of the macro is bound to shell-expand-line, or to nothing) only when the line is low risk.
__vg_expand_mode=on
__vg_expand_check() {
  local blocked=0
  if [[ $__VG_STATE == on ]] && [[ $READLINE_LINE == *'$('* || $READLINE_LINE == *'`'* || $READLINE_LINE == *'<('* || $READLINE_LINE == *'>('* ]]; then
    __vg_defs='' __vg_defd=' ' __vg_jfl='' __vg_ffn=0
    if __vg_judge "$READLINE_LINE" && __vg_resolve "$READLINE_LINE"; then
      if [[ $__vg_r_dec != host && $__vg_r_dec != more && $__vg_r_risk != low ]]; then
        blocked=1
        __vg_say "vg: not expanded: expanding runs its command substitutions, and this line is ${__vg_r_risk:-not low} risk"
      fi
    else
      blocked=1
      __vg_say "vg: not expanded: $__vg_r_why"
    fi
  fi
  local want=on
  ((blocked)) && want=off
  [[ $want == "$__vg_expand_mode" ]] && return
  __vg_expand_mode=$want
  if [[ $want == on ]]; then builtin bind -m emacs '"\e[9999;7~": shell-expand-line'; else builtin bind -m emacs '"\e[9999;7~": ""'; fi
}

# === install: key bindings and PROMPT_COMMAND ===================================================
__vg_install() {
  local km
  for km in emacs vi-insert vi-command; do
    builtin bind -m "$km" -x '"\e[9999;1~": __vg_accept'
    builtin bind -m "$km" '"\e[9999;2~": accept-line'
    builtin bind -m "$km" '"\e[9999;4~": operate-and-get-next'
    builtin bind -m "$km" -x '"\e[9999;5~": __vg_edit'
    builtin bind -m "$km" '"\C-m": "\e[9999;1~\e[9999;2~"'
    builtin bind -m "$km" '"\C-j": "\e[9999;1~\e[9999;2~"'
    builtin bind -m "$km" '"\e[13u": "\e[9999;1~\e[9999;2~"'
    builtin bind -m "$km" '"\e[27;1;13~": "\e[9999;1~\e[9999;2~"'
  done
  builtin bind -m emacs '"\C-o": "\e[9999;1~\e[9999;4~"'
  # shell-expand-line's key (M-C-e; emacs mode only, by default) checks first.
  builtin bind -m emacs -x '"\e[9999;6~": __vg_expand_check'
  builtin bind -m emacs '"\e[9999;7~": shell-expand-line'
  builtin bind -m emacs '"\e\C-e": "\e[9999;6~\e[9999;7~"'
  # edit-and-execute-command would run the edited text without passing Enter: edit, then judge.
  builtin bind -m emacs '"\C-x\C-e": "\e[9999;5~\e[9999;1~\e[9999;2~"'
  builtin bind -m vi-command '"v": "\e[9999;5~\e[9999;1~\e[9999;2~"'

  # PROMPT_COMMAND may be a string or (bash ≥ 5.1) an array; vg's hook goes first so it sees $?.
  # `__vg_accept` is listed too (a no-op there) so bash-preexec's DEBUG trap takes the Enter-key
  # hook for prompt machinery instead of firing preexec for it with the previous command.
  if [[ $(builtin declare -p PROMPT_COMMAND 2>/dev/null) == 'declare -a'* ]]; then
    PROMPT_COMMAND=(__vg_precmd "${PROMPT_COMMAND[@]}" __vg_accept)
  elif [[ -n ${PROMPT_COMMAND-} ]]; then
    PROMPT_COMMAND="__vg_precmd"$'\n'"$PROMPT_COMMAND"$'\n'"__vg_accept"
  else
    PROMPT_COMMAND="__vg_precmd"$'\n'"__vg_accept"
  fi
}

__vg_edit() {
  local f
  f=$(command mktemp "${TMPDIR:-/tmp}/vg-edit.XXXXXX.sh") || return
  builtin printf '%s\n' "$READLINE_LINE" >"$f"
  ${VISUAL:-${EDITOR:-vi}} "$f" </dev/tty >/dev/tty
  local text
  text=$(<"$f")
  command rm -f -- "$f"
  READLINE_LINE=$text
  READLINE_POINT=${#READLINE_LINE}
}

__vg_install
__vg_start

fi
