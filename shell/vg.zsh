# vg — Vectra Guard: every command line is judged before it runs (host, sandbox, ask, or block).
# Printed by `vg init zsh`. Add to ~/.zshrc:
#
#     eval "$(vg init zsh)"
#
# How it works (docs/shell.md): the accept-line widget is wrapped (the previously bound widget is
# called, so zsh-autosuggestions and friends keep working). The buffer goes to a resident analyzer
# (`vg serve`, started lazily, two FIFOs held open with sysopen) with a bounded wait. host → the
# line is accepted unchanged; anything else → the buffer becomes `__vg_run`, which runs the sandbox
# invocation, asks, or refuses; zshaddhistory keeps the typed text in history.

# === guard: interactive zsh only, and only once ================================================
if [[ -o interactive ]] && (( ! ${+__vg_loaded} )); then
typeset -g __vg_loaded=1

zmodload zsh/system 2>/dev/null
zmodload zsh/datetime 2>/dev/null
zmodload -F zsh/files b:zf_mkdir 2>/dev/null

# === settings (vg init fills in the command that starts vg) ====================================
typeset -ga __vg_cmd
__vg_cmd=(command vg) # vg-init:cmd
typeset -g __vg_session="zsh-$$-${EPOCHSECONDS:-$RANDOM}"
typeset -g __VG_STATE=on
typeset -gi __vg_timeout_ms=500 __vg_startup_ms=5000 __vg_seq=0 __vg_hello=0
typeset -g __vg_fallback=host __vg_mode= __vg_spawned= __vg_srv_pid= __vg_fd_w= __vg_fd_r= __vg_env_sent=
typeset -g __vg_pending= __vg_how= __vg_t0= __vg_started= __vg_key= __vg_e= __vg_d= __vg_timeout_s=0.5 __vg_rfile=
typeset -g __vg_x_dec= __vg_x_line= __vg_x_cmd= __vg_x_notice= __vg_ex= __vg_exfl=
typeset -g __vg_r_dec= __vg_r_risk= __vg_r_notice= __vg_r_cmd= __vg_r_why= __vg_r_callees=
typeset -g __vg_defs= __vg_defd=' '   # definitions of this shell's aliases/functions the line uses
typeset -g __vg_jfl=                  # request flags for them (i: the shell stopped following callees)
typeset -gi __vg_ffn=0                # function bodies written to files for this line

# === the resident analyzer =====================================================================
# On the hot path (twice per line): no redirection — /proc/PID where there is one (it exists
# exactly as long as kill -0 would succeed), kill -0 and its 2>/dev/null elsewhere.
typeset -gi __vg_proc=0
[[ -d /proc/$$ ]] && __vg_proc=1
__vg_alive() {
  [[ -n $__vg_fd_w ]] || return 1
  if (( __vg_proc )); then
    [[ -e /proc/${__vg_srv_pid:-$__vg_spawned} ]]
  else
    builtin kill -0 ${__vg_srv_pid:-$__vg_spawned} 2>/dev/null
  fi
}

__vg_start() {
  # (A bare `exec … 2>/dev/null` would redirect the shell's own stderr for good: hence the braces.)
  [[ -n $__vg_fd_w ]] && { exec {__vg_fd_w}>&- } 2>/dev/null
  [[ -n $__vg_fd_r ]] && { exec {__vg_fd_r}<&- } 2>/dev/null
  __vg_fd_w= __vg_fd_r= __vg_srv_pid= __vg_hello=0 __vg_env_sent= __vg_d=
  local base=${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}}
  local dir=$base/vg-${UID}-$$-${RANDOM}${RANDOM}
  builtin zf_mkdir -m 700 $dir 2>/dev/null || command mkdir -m 700 $dir 2>/dev/null || return 1
  command mkfifo -m 600 $dir/in $dir/out 2>/dev/null || return 1
  # Both ends read-write: neither side ever blocks on open, a dead server never SIGPIPEs the shell.
  sysopen -rw -o cloexec -u __vg_fd_w $dir/in 2>/dev/null || return 1
  sysopen -rw -o cloexec -u __vg_fd_r $dir/out 2>/dev/null || return 1
  # A direct child, disowned (&!): zsh reaps it, so a dead server is seen as dead (an orphan can
  # linger as a zombie where PID 1 does not reap).
  ${__vg_cmd[@]} serve --shell zsh --session $__vg_session --pid $$ --fifo $dir </dev/null >/dev/null 2>&1 &!
  __vg_spawned=$!
  __vg_envs=()
  __vg_env_scan snap
  __vg_started=${EPOCHREALTIME:-$SECONDS}
}

__vg_send() {
  [[ -n $__vg_fd_w ]] || return 1
  # No 2>/dev/null (a redirection per write): the fd is ours and open, and the FIFO is held
  # read-write, so the write cannot fail with EPIPE.
  builtin print -r -u $__vg_fd_w -- "$1"
}

# Global aliases (alias -g) expand wherever they stand as a word, not only first: judge their text
# in their place. (z) splits as zsh does, so a quoted name stays a plain word, as in zsh. Sets
# __vg_ex, and __vg_exfl=c when the text changed (the analyzer then names every callee, the first
# word included: it may be one the hook never saw).
__vg_galias() {
  local src=$1
  __vg_exfl=
  if (( ${#galiases} )); then
    local -a t
    local i hit=0
    t=(${(z)src})
    for (( i = 1; i <= $#t; i++ )); do
      if (( ${+galiases[${t[i]}]} )); then
        t[i]=${galiases[${t[i]}]} hit=1
      fi
    done
    (( hit )) && src=${(j: :)t} __vg_exfl=c
  fi
  __vg_ex=$src
}

# The other aliases and functions live only in this shell too: a sandbox's fresh `zsh -c` has
# neither. The hook sends the definitions of the names (space-separated in $1) that are aliases or
# functions here; the analyzer expands the aliases where zsh would and puts the function definitions
# in front (bodies are judged like any code); a word with a suffix alias is sent as an alias for
# what zsh makes of it. The first word is looked at before asking; the
# analyzer names the line's other callees in its answer (__vg_resolve). An autoloaded function not
# loaded yet is judged by its file, unless that is one zsh ships (/usr/share). vg's own function is
# left alone: `vg …` lines are judged as typed. 0: something new was added.
__vg_define() {
  local w body new=1
  local -a files
  for w in ${(s: :)1}; do
    # `?`: on no PATH — with no alias or function of that name, zsh runs its not-found handler.
    if [[ $w == '?'* ]]; then
      w=${w#\?}
      if (( ! ${+aliases[$w]} && ! ${+functions[$w]} )) && ! { [[ $w == *.* ]] && (( ${+saliases[${w##*.}]} )) }; then
        __vg_define command_not_found_handler && new=0
        continue
      fi
    fi
    [[ -n $w && $w != vg && $__vg_defd != *" $w "* ]] || continue
    __vg_defd+="$w "
    if (( ${+aliases[$w]} )); then
      __vg_esc ${aliases[$w]}
      __vg_defs+=$'\t'"a:$w"$'\t'"$__vg_e" new=0
    elif [[ $w == *.* ]] && (( ${+saliases[${w##*.}]} )); then
      # A suffix alias (alias -s txt=vim): `notes.txt` in command position runs `vim notes.txt`.
      __vg_esc "${saliases[${w##*.}]} $w"
      __vg_defs+=$'\t'"a:$w"$'\t'"$__vg_e" new=0
    fi
    if (( ${+functions[$w]} )); then
      body=${functions[$w]}
      if [[ $body == *'autoload -X'* ]]; then
        files=(${^fpath}/$w(N.))
        body=
        [[ -n $files[1] && $files[1] != /usr/share/* ]] && body=$(<$files[1])
      fi
      if [[ -n $body && -n $__vg_rfile ]]; then
        # To a file in the analyzer's private directory (the reply file's, 0700), which it reads:
        # zsh escapes a long text slowly (a 75 KB library: ~40 ms).
        (( __vg_ffn++ ))
        builtin print -r -- $body >| ${__vg_rfile:h}/fn-$__vg_ffn
        __vg_esc ${__vg_rfile:h}/fn-$__vg_ffn
        __vg_defs+=$'\t'"p:$w"$'\t'"$__vg_e" new=0
      elif [[ -n $body ]]; then
        __vg_esc $body
        __vg_defs+=$'\t'"f:$w"$'\t'"$__vg_e" new=0
      fi
    fi
  done
  return $new
}

# The verdict for line $1 names callees: while any of them is an alias or a function here that was
# not sent yet, judge again with its definition (an alias's text or a function's body may call
# more). 0 with __vg_r_* set; 1 when the analyzer could not answer.
# Past 8 rounds it stops following and asks once more with flag i: the analyzer then judges the line
# at least medium (sandboxed, not run on the host with functions nobody judged). Past 64 KB of
# definitions (a whole library, like nvm's) the analyzer does the same itself and names no more callees.
__vg_resolve() {
  local -i round=0
  while (( round++ < 8 )); do
    [[ -n $__vg_r_callees ]] && __vg_define $__vg_r_callees || return 0
    __vg_judge $1 || return 1
  done
  [[ -n $__vg_r_callees ]] && __vg_define $__vg_r_callees || return 0
  __vg_jfl=i
  __vg_judge $1
}

__vg_esc() {
  # Most lines hold none of the escaped characters: skip the five substitutions.
  if [[ $1 != *[$'\\\t\n\r\0']* ]]; then
    __vg_e=$1
    return
  fi
  local s=${1//\\/\\\\}
  s=${s//$'\t'/\\t}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  __vg_e=${s//$'\0'/\\0}
}

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
# next sandboxed build (secret-looking names are still dropped by the sandbox plan). Not per line.
# $1: send (0: something was sent) | snap (the analyzer just started with this environment).
typeset -gA __vg_envs
__vg_env_scan() {
  local n v sent=1
  local -A seen
  for n in ${(k)parameters[(R)*export*]}; do
    [[ $n == _ ]] && continue
    seen[$n]=1
    v=${(P)n}
    [[ ${+__vg_envs[$n]} == 1 && ${__vg_envs[$n]} == $v ]] && continue
    __vg_envs[$n]=$v
    [[ $1 == send ]] || continue
    __vg_esc $v
    __vg_send "E"$'\t'"$n"$'\t'"$__vg_e" && sent=0
  done
  for n in ${(k)__vg_envs}; do
    (( ${+seen[$n]} )) && continue
    unset "__vg_envs[$n]"
    [[ $1 == send ]] && __vg_send "U"$'\t'"$n" && sent=0
  done
  return $sent
}

# The verdict sends line $1 to a sandbox (or may, after a question): judge it again if the analyzer's
# environment was behind.
__vg_fresh_env() {
  [[ $__vg_r_dec == (sandbox|prompt) ]] || return 0
  __vg_env_scan send || return 0
  __vg_judge $1
}

# Read until the answer for id $1 arrives or the time is up; sets __vg_r_*. $2: a line already read
# (by __vg_decide), looked at first.
__vg_recv() {
  local id=$1 raw=${2-} held=${2+1}
  local -a f
  local -F now deadline left
  local -i limit=$__vg_timeout_ms
  (( __vg_hello )) || limit=$__vg_startup_ms
  now=$EPOCHREALTIME
  deadline=$(( now + limit / 1000.0 ))
  while :; do
    now=$EPOCHREALTIME
    left=$(( deadline - now ))
    if [[ -z $held ]]; then
      (( left > 0 )) || return 1
      IFS= builtin read -r -t $left -u $__vg_fd_r raw || return 1
    fi
    held=
    f=("${(@ps:\x1f:)raw}")
    case $f[1] in
      V)
        __vg_hello=1
        __vg_srv_pid=$f[3]
        [[ $f[4] == <-> ]] && __vg_timeout_ms=$f[4] __vg_timeout_s=$(( f[4] / 1000.0 ))
        [[ $f[5] == (host|block) ]] && __vg_fallback=$f[5]
        __vg_mode=$f[7]
        __vg_rfile=${f[8]-}
        now=$EPOCHREALTIME
        deadline=$(( now + __vg_timeout_ms / 1000.0 ))
        ;;
      H)
        [[ $f[2] == $id ]] || continue
        __vg_r_dec=host __vg_r_risk= __vg_r_notice= __vg_r_cmd= __vg_r_callees=${f[3]-}
        return 0
        ;;
      R|F)
        [[ $f[2] == $id ]] || continue
        # F: the answer is in the reply file — zsh reads `$(<file)` without a fork, in large reads
        # (its `read` takes a byte per syscall).
        if [[ $f[1] == F ]]; then
          [[ -n $__vg_rfile && -r $__vg_rfile ]] || return 1
          raw=$(<$__vg_rfile)
          f=("${(@ps:\x1f:)raw}")
          [[ $f[1] == R && $f[2] == $id ]] || continue
        fi
        __vg_r_dec=$f[3] __vg_r_risk=$f[4] __vg_r_notice=$f[5] __vg_r_cmd=$f[6] __vg_r_callees=${f[7]-}
        return 0
        ;;
    esac
  done
}

# Judge $1 (with the definitions in __vg_defs): 0 with __vg_r_* set, 1 when the analyzer could not
# answer (__vg_r_why says why).
__vg_judge() {
  __vg_r_dec= __vg_r_notice= __vg_r_cmd= __vg_r_risk= __vg_r_why= __vg_r_callees=
  local try line
  for try in 1 2; do
    if ! __vg_alive; then
      __vg_start
      if ! __vg_alive; then __vg_r_why='the analyzer could not start'; return 1; fi
    fi
    __vg_sync_env
    (( __vg_seq++ ))
    __vg_galias "$1"
    __vg_esc "$__vg_ex"; line=$__vg_e
    __vg_esc "$PWD"
    line="${__vg_d}J"$'\t'"$__vg_seq"$'\t'"$__vg_e"$'\t'"$line"
    [[ -n $__vg_defs || -n $__vg_exfl$__vg_jfl ]] && line+=$'\t'"$__vg_exfl$__vg_jfl$__vg_defs"
    __vg_send $line && __vg_d= && __vg_recv $__vg_seq && break
    # Dead (killed, crashed): start a fresh one and ask again, with the start-up allowance.
    if (( try == 1 )) && ! __vg_alive; then continue; fi
    if __vg_alive; then __vg_r_why="no answer within ${__vg_timeout_ms} ms"; else __vg_r_why='the analyzer exited'; fi
    return 1
  done
  if [[ $__vg_r_dec == error ]]; then __vg_r_why="analyzer error: $__vg_r_notice"; return 1; fi
  return 0
}

# The fallback runs lines unchecked; never one that plainly destroys HOME or the system.
__vg_plainly_critical() {
  [[ $1 =~ '(^|[;&|({[:space:]])rm[[:space:]]+(-[a-zA-Z]*[rRf]|--recursive|--force)' && $1 =~ '([[:space:]]/|[[:space:]]~|\$HOME|\$\{HOME\}|/\*)' ]] && return 0
  [[ $1 =~ '(mkfs|wipefs|of=/dev/|:\(\)[[:space:]]*\{)' ]]
}

__vg_say() { builtin print -r -u 2 -- "${1//$'\x1e'/$'\n'}"; }

# === history: keep what was typed, not `__vg_run` ================================================
__vg_hist_add() {
  [[ -o histignorespace && $1 == ' '* ]] && return
  builtin print -rs -- "$1"
}
__vg_zshaddhistory() {
  [[ $1 == __vg_run$'\n' || $1 == __vg_run ]] && return 1
  return 0
}

# === Enter: one wrapper per accepting widget, each calling what was bound before ===============
# The common case, kept short (docs/shell.md, "Numbers": every heap page the shell writes after the
# previous command's fork costs a copy-on-write fault): analyzer up and greeted, nothing to escape
# or expand, a host verdict — one write (carrying the last line's report) and one read.
__vg_decide() {
  # 0: accept the buffer (possibly rewritten); 1: keep editing.
  [[ $__VG_STATE == off ]] && return 0
  if (( __vg_hello && __vg_proc && ! ${#galiases} )) && [[ -n $__vg_fd_w && -z $PREBUFFER && -e /proc/$__vg_srv_pid && $BUFFER$PWD != *[$'\\\t\n\r\0!^']* &&
    $BUFFER != *vg* && $BUFFER == *[^[:space:]]* && ${PATH-}$'\x1f'${HOME-}$'\x1f'${VG_AGENT-} == $__vg_env_sent ]]; then
    local w=${BUFFER#${BUFFER%%[^[:space:]]*}}
    w=${w%%[[:space:]\;\|\&\<\>\(\)]*}
    if [[ -n $w ]] && (( ! ${+aliases[$w]} && ! ${+functions[$w]} && ! ${+saliases[${w##*.}]} )); then
      __vg_t0=$EPOCHREALTIME
      (( __vg_seq++ ))
      builtin print -rn -u $__vg_fd_w -- "${__vg_d}J"$'\t'"$__vg_seq"$'\t'"$PWD"$'\t'"$BUFFER"$'\n'
      __vg_d=
      local raw=
      IFS= builtin read -r -t $__vg_timeout_s -u $__vg_fd_r raw
      if [[ $raw == H$'\x1f'$__vg_seq ]]; then
        __vg_pending=$__vg_seq __vg_how=host
        return 0
      fi
      __vg_verdict $raw
      __vg_act $BUFFER $?
      return
    fi
  fi
  __vg_decide_slow
}

# The rest of a verdict the common path read ($1) when it was not a plain host answer.
__vg_verdict() {
  __vg_r_dec= __vg_r_notice= __vg_r_cmd= __vg_r_risk= __vg_r_why= __vg_r_callees=
  __vg_defs= __vg_defd=' ' __vg_jfl= __vg_ffn=0
  if [[ -n $1 ]] && __vg_recv $__vg_seq $1; then
    : # ours, possibly after a stale answer
  elif __vg_alive; then
    __vg_r_why="no answer within ${__vg_timeout_ms} ms"
    return 1
  else
    # Dead (killed, crashed): start a fresh one and ask again.
    __vg_judge $BUFFER || return 1
  fi
  if [[ $__vg_r_dec == error ]]; then __vg_r_why="analyzer error: $__vg_r_notice"; return 1; fi
  __vg_resolve $BUFFER && __vg_fresh_env $BUFFER
}

# Everything __vg_decide leaves out: a continuation (PS2), `vg on|off|status`, history expansion,
# aliases and functions, escapes, a (re)starting analyzer.
__vg_decide_slow() {
  local line=$BUFFER
  [[ $line == *[^[:space:]]* ]] || return 0
  __vg_t0=$EPOCHREALTIME
  [[ $line == *vg* && $line =~ '^[[:space:]]*vg[[:space:]]+(on|off|status)([[:space:]]+-[-a-z]+)*[[:space:]]*$' ]] && return 0
  # History expansion happens after Enter: expand now so what is judged is what runs.
  if [[ -o banghist && ( $line == *'!'* || $line == '^'* ) ]]; then
    zle .expand-history 2>/dev/null
    line=$BUFFER
  fi
  if [[ -n $PREBUFFER ]]; then
    # zsh is already collecting a continuation (PS2): judge the whole construct.
    line=$PREBUFFER$line
  fi
  # A line that starts with an alias or a function is sent with its definition.
  local w=${line#${line%%[^[:space:]]*}}
  w=${w%%[[:space:]\;\|\&\<\>\(\)]*}
  __vg_defs= __vg_defd=' ' __vg_jfl= __vg_ffn=0
  [[ -n $w ]] && __vg_define $w
  __vg_judge $line && __vg_resolve $line && __vg_fresh_env $line
  __vg_act $line $?
}

# Act on the verdict (__vg_r_*) for line $1; $2: 0 judged, 1 the analyzer could not answer.
# Returns what __vg_decide returns.
__vg_act() {
  local line=$1
  if (( $2 )); then
    __vg_pending=$__vg_seq __vg_how=fallback
    if [[ $__vg_fallback == block ]] || __vg_plainly_critical $line; then
      __vg_x_dec=fallback __vg_x_line=$line __vg_x_notice="vg: $__vg_r_why — line not run (shell.fallback: $__vg_fallback); \`vg off\` suspends checking"
      __vg_rewrite $line
    else
      zle -I
      __vg_say "vg: $__vg_r_why — running on the host unchecked (shell.fallback: host)"
    fi
    return 0
  fi
  case $__vg_r_dec in
    more)
      if [[ -n $PREBUFFER ]]; then return 0; fi
      # Incomplete (open quote, loop, heredoc, trailing | or \): keep editing one buffer.
      BUFFER+=$'\n'
      CURSOR=$#BUFFER
      return 1
      ;;
    host)
      __vg_pending=$__vg_seq __vg_how=host
      if [[ -n $__vg_r_notice ]]; then zle -I; __vg_say $__vg_r_notice; fi
      ;;
    *)
      __vg_pending=$__vg_seq __vg_how=$__vg_r_dec
      __vg_x_dec=$__vg_r_dec __vg_x_line=$line __vg_x_cmd=$__vg_r_cmd __vg_x_notice=$__vg_r_notice
      __vg_rewrite $line
      ;;
  esac
  return 0
}

__vg_rewrite() {
  __vg_hist_add $1
  if [[ -n $PREBUFFER ]]; then
    # The first lines were already handed to the parser; start over with the whole text.
    __vg_x_dec=
    __vg_pending=
    builtin print -zr -- $1
    zle .send-break
    return
  fi
  BUFFER=__vg_run
  CURSOR=$#BUFFER
}

# Widget $1 runs check $2 first, then what was bound before (a user widget, or the builtin).
__vg_wrap_widget() {
  local w=$1 orig=__vg_orig_$1
  if [[ ${widgets[$w]-} == user:* ]]; then
    zle -A $w $orig
  else
    zle -A .$w $orig 2>/dev/null || return
  fi
  eval "__vg_w_$w() { $2 && zle $orig -- \"\$@\"; }"
  zle -N $w __vg_w_$w
}

# === Tab: expansion runs the line's command substitutions =======================================
# zsh's expand-or-complete (Tab), expand-word (^X*) … replace `$(cmd)` with its output — they run
# cmd, with no Enter and no judgement. With a substitution in the buffer, the line is judged first;
# the expansion goes ahead only when it is low risk (what expansion runs is part of the line).
__vg_expand_ok() {
  [[ $__VG_STATE == off ]] && return 0
  [[ $BUFFER == *('$('|'`'|'<('|'>('|'=(')* ]] || return 0
  local line=$PREBUFFER$BUFFER
  __vg_defs= __vg_defd=' ' __vg_jfl= __vg_ffn=0
  if __vg_judge $line && __vg_resolve $line; then
    [[ $__vg_r_dec == host || $__vg_r_dec == more || $__vg_r_risk == low ]] && return 0
    zle -M "vg: not expanded: expanding runs its command substitutions, and this line is ${__vg_r_risk:-not low} risk"
  else
    zle -M "vg: not expanded: $__vg_r_why"
  fi
  return 1
}


# Redraw the accepted line as typed (the terminal shows `__vg_run` otherwise).
__vg_redraw() {
  [[ -t 2 && ${TERM-dumb} != dumb ]] || return 0
  setopt localoptions extendedglob
  local p=${(%)PS1}
  p=${p##*$'\n'}
  local plain=${p//$'\e'\[[0-9;?]#[a-zA-Z]/}
  local -i cols=${COLUMNS:-80} shown up
  (( cols > 0 )) || cols=80
  shown=$(( ${(m)#plain} + 8 ))
  up=$(( (shown + cols - 1) / cols ))
  (( up >= 1 )) || up=1
  builtin printf '\e[%dA\r\e[J%s%s\n' $up "$p" "$1" >&2
}

__vg_ask() {
  local saved key
  saved=$(command stty -g </dev/tty 2>/dev/null)
  command stty -icanon -echo -isig min 1 time 0 </dev/tty 2>/dev/null
  builtin print -rn -- "$1 " >/dev/tty
  key=$(command dd bs=1 count=1 2>/dev/null </dev/tty)
  [[ -n $saved ]] && command stty $saved </dev/tty 2>/dev/null
  case $key in
    [sS]) __vg_key=s ;;
    [yY]) __vg_key=y ;;
    [rR]) __vg_key=r ;;
    *) __vg_key=n ;;
  esac
  local word
  case $__vg_key in s) word=sandbox ;; y) word='yes, on the host' ;; r) word='remember, on the host' ;; *) word=no ;; esac
  builtin print -r -- $word >/dev/tty
}

__vg_run() {
  local dec=$__vg_x_dec line=$__vg_x_line cmd=$__vg_x_cmd notice=$__vg_x_notice id=$__vg_pending
  __vg_x_dec= __vg_x_cmd=
  if [[ -z $dec ]]; then
    builtin print -u 2 'vg: nothing to run'
    return 1
  fi
  __vg_redraw $line
  case $dec in
    block|fallback)
      __vg_how=block
      __vg_say $notice
      return 126
      ;;
    prompt)
      if [[ -n ${VG_AGENT-} ]]; then __vg_key=s; else __vg_ask $notice; fi
      __vg_send "A"$'\t'"$id"$'\t'"$__vg_key"
      case $__vg_key in
        s)
          if [[ -z $cmd ]]; then
            __vg_how=error
            __vg_say 'vg: the sandbox cannot start here — run `vg doctor`'
            return 125
          fi
          __vg_how=sandbox
          builtin eval -- $cmd
          ;;
        y|r)
          __vg_how=host
          builtin eval -- $line
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
        __vg_say $notice
        return 125
      fi
      [[ -n $notice ]] && __vg_say $notice
      __vg_how=sandbox
      builtin eval -- $cmd
      ;;
  esac
}

# === after each line: report, keep $? ==========================================================
# The report (status, start and end time) rides along with the next request (__vg_d) rather than
# waking the analyzer at every prompt.
__vg_precmd() {
  local st=$?
  if [[ -n $__vg_pending ]]; then
    __vg_d+="D"$'\t'"$__vg_pending"$'\t'"$st"$'\t\t'"$__vg_how"$'\t'"${__vg_t0-}"$'\t'"${EPOCHREALTIME-}"$'\n'
    __vg_pending=
  fi
  if [[ $__VG_STATE == on ]] && ! { (( __vg_proc )) && [[ -n $__vg_fd_w && -e /proc/${__vg_srv_pid:-${__vg_spawned:-x}} ]] } && ! __vg_alive; then
    __vg_start
  fi
  return $st
}

# === the `vg` function: on/off/status act on this shell =======================================
vg() {
  case ${1-} in
    off)
      if [[ -n ${VG_AGENT-} ]]; then
        builtin print -u 2 'vg: `vg off` is refused in an agent session (VG_AGENT is set) — ask the person at the keyboard'
        return 1
      fi
      __VG_STATE=off
      builtin print -u 2 'vg: off — lines in this shell run unchecked until `vg on`'
      ;;
    on)
      __VG_STATE=on
      __vg_alive || __vg_start
      builtin print -u 2 'vg: on — this shell is guarded'
      ;;
    status)
      shift
      __VG_STATE=$__VG_STATE __VG_SHELL=zsh __VG_SERVER_PID=$__vg_srv_pid __VG_SESSION=$__vg_session \
        ${__vg_cmd[@]} status "$@"
      ;;
    trust)
      if [[ -n ${VG_AGENT-} && ${2-} == (add|remove|rm|clear) ]]; then
        builtin print -u 2 "vg: \`vg trust $2\` is refused in an agent session (VG_AGENT is set) — ask the person at the keyboard"
        return 1
      fi
      ${__vg_cmd[@]} "$@"
      ;;
    *) ${__vg_cmd[@]} "$@" ;;
  esac
}

# === install ====================================================================================
() {
  local w km
  for w in accept-line accept-and-hold accept-line-and-down-history accept-and-infer-next-history; do
    __vg_wrap_widget $w __vg_decide
  done
  for w in expand-or-complete expand-or-complete-prefix expand-word complete-word menu-complete menu-expand-or-complete list-expand; do
    __vg_wrap_widget $w __vg_expand_ok
  done
  for km in main emacs viins vicmd; do
    bindkey -M $km '\e[13u' accept-line 2>/dev/null
    bindkey -M $km '\e[27;1;13~' accept-line 2>/dev/null
  done
  typeset -ga precmd_functions zshaddhistory_functions
  precmd_functions=(__vg_precmd ${precmd_functions:#__vg_precmd})
  zshaddhistory_functions=(__vg_zshaddhistory ${zshaddhistory_functions:#__vg_zshaddhistory})
}
__vg_start

fi
