# vg — Vectra Guard: every command line is judged before it runs (host, sandbox, ask, or block).
# Printed by `vg init fish`. Add to ~/.config/fish/config.fish:
#
#     vg init fish | source
#
# How it works (docs/shell.md): Enter (and C-j, kitty's CSI-u Return; vi insert and default modes)
# is bound to __vg_enter, which sends the commandline to a resident analyzer (`vg serve`, started
# lazily, talking over two FIFOs) and then either executes it unchanged (host) or replaces it with
# ` __vg_run` (leading space: fish keeps it out of history), which runs the sandbox invocation,
# asks, or refuses. The typed text is added to history instead.

# === guard: interactive fish only, and only once ===============================================
if status is-interactive; and not set -q __vg_loaded
set -g __vg_loaded 1

# === settings (vg init fills in the command that starts vg) ====================================
set -g __vg_cmd command vg # vg-init:cmd
set -g __vg_session fish-$fish_pid-(random)(random)
set -g __VG_STATE on
set -g __vg_seq 0
# Request ids come from a ring: `set (math $__vg_seq + 1)` is a command substitution (~70 µs here),
# a rotation ~25 µs. Ids only pair an answer with its request and a report with its line; 32 is
# far more than are ever outstanding (the analyzer keeps 64).
set -g __vg_ring 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32
set -g __vg_hello 0
set -g __vg_fallback host
set -g __vg_srv_pid ''
set -g __vg_dir ''
set -g __vg_env_sent ''
set -g __vg_pending ''
set -g __vg_d ''
set -g __vg_how ''
set -g __vg_x_dec ''
set -g __vg_x_line ''
set -g __vg_x_cmd ''
set -g __vg_x_notice ''
set -g __vg_abbr_seen ''

# === the resident analyzer =====================================================================
function __vg_alive
    test -n "$__vg_srv_pid"; and test -n "$__vg_dir"; and test -p "$__vg_dir/in"
    or return 1
    if test -r /proc/$__vg_srv_pid/stat
        # Alive, not a zombie (a disowned child can linger as one) and not stopped (fish's read has
        # no timeout: a stopped analyzer would hang the prompt, so it is replaced).
        # `read` (no command substitution, no string split of the whole line): ~5x cheaper, and this
        # runs several times per line. The state is the field after ") " (comm may hold spaces).
        read -l st </proc/$__vg_srv_pid/stat
        string match -qr '^.*\) [ZTt] ' -- $st; or return 0
        string match -qr '^.*\) Z ' -- $st; and return 1
        command kill -9 $__vg_srv_pid 2>/dev/null
        return 1
    else if test -d /proc/self
        return 1
    else
        command kill -0 $__vg_srv_pid 2>/dev/null
    end
end

function __vg_start
    # A previous (dead) analyzer's FIFOs: remove them.
    test -n "$__vg_dir"; and command rm -rf -- $__vg_dir 2>/dev/null
    set -l base $XDG_RUNTIME_DIR
    test -n "$base"; or set base $TMPDIR
    test -n "$base"; or set base /tmp
    set -l dir $base/vg-(id -u)-$fish_pid-(random)
    command mkdir -m 700 $dir 2>/dev/null; or return 1
    command mkfifo -m 600 $dir/in $dir/out 2>/dev/null; or return 1
    # The server opens both FIFOs read-write, so fish's opens never block while it is alive.
    $__vg_cmd serve --shell fish --session $__vg_session --pid $fish_pid --fifo $dir </dev/null >/dev/null 2>/dev/null &
    set -g __vg_srv_pid $last_pid
    disown $last_pid 2>/dev/null
    set -g __vg_dir $dir
    set -g __vg_hello 0
    set -g __vg_env_sent ''
    set -g __vg_env_n
    set -g __vg_env_v
    __vg_env_scan snap
    set -g __vg_d ''
end

function __vg_send
    __vg_alive; or return 1
    builtin echo $argv[1] >$__vg_dir/in
end

function __vg_esc
    # Most lines hold none of the escaped characters: skip the four-stage pipeline.
    if not string match -qr '[\\\\\t\r\n]' -- $argv[1]
        builtin echo -- $argv[1]
        return
    end
    string replace -a -- \\ \\\\ $argv[1] | string replace -a -- \t \\t | string replace -a -- \r \\r | string join -- \\n
end

function __vg_sync_env
    set -l cur "$PATH"\x1f"$HOME"\x1f"$VG_AGENT"
    test "$cur" = "$__vg_env_sent"; and return 0
    __vg_send E\tPATH\t(__vg_esc "$PATH"); or return 1
    __vg_send E\tHOME\t(__vg_esc "$HOME"); or return 1
    if test -n "$VG_AGENT"
        __vg_send E\tVG_AGENT\t1
    else
        __vg_send U\tVG_AGENT
    end
    set -g __vg_env_sent $cur
end

# === the environment a sandboxed line gets =====================================================
# A sandbox starts from the analyzer's copy of the environment: what fish exported when the analyzer
# started, kept current by E/U. Before a line goes to the sandbox, every exported variable that
# changed since is sent and the line judged again, so `set -gx NODE_ENV production` reaches the next
# sandboxed build (secret-looking names are still dropped by the sandbox plan). Not per line.
# $mode: send (0: something was sent) | snap (the analyzer just started with this environment).
function __vg_env_scan -a mode
    set -l sent 1
    set -l names (set -x -n)
    for n in $names
        test "$n" = _; and continue
        # As fish exports it: a path variable joined with ':', any other list with spaces.
        set -l v (string join ' ' -- $$n)
        string match -q -- '*PATH' $n; and set v (string join ':' -- $$n)
        set -l i (contains -i -- $n $__vg_env_n)
        # (Quoted: an empty list would append nothing and the two lists would no longer line up.)
        if test -n "$i"
            test "$__vg_env_v[$i]" = "$v"; and continue
            set -g __vg_env_v[$i] "$v"
        else
            set -g -a __vg_env_n $n
            set -g -a __vg_env_v "$v"
        end
        test "$mode" = send; or continue
        __vg_send E\t$n\t(__vg_esc "$v"); and set sent 0
    end
    for i in (seq (count $__vg_env_n) -1 1)
        contains -- $__vg_env_n[$i] $names; and continue
        test "$mode" = send; and __vg_send U\t$__vg_env_n[$i]; and set sent 0
        set -e __vg_env_n[$i]
        set -e __vg_env_v[$i]
    end
    return $sent
end

# fish's read has no timeout: the server answers within shell.analyzer_timeout_ms itself (its
# judge() call is raced against a timer), and a server that is gone is seen before writing.
function __vg_recv -a id
    while true
        __vg_alive; or return 1
        set -l l
        read -l l <$__vg_dir/out; or return 1
        begin
            set -l f (string split -- \x1f $l)
            switch $f[1]
                case V
                    set -g __vg_hello 1
                    set -g __vg_srv_pid $f[3]
                    string match -qr '^(host|block)$' -- $f[5]; and set -g __vg_fallback $f[5]
                case R
                    if test "$f[2]" = "$id"
                        # An error answer names shell.fallback in the risk field.
                        test "$f[3]" = error; and string match -qr '^(host|block)$' -- $f[4]; and set -g __vg_fallback $f[4]
                        set -g __vg_r_dec $f[3]
                        set -g __vg_r_risk $f[4]
                        set -g __vg_r_notice $f[5]
                        set -g __vg_r_cmd $f[6]
                        set -g __vg_r_callees $f[7]
                        return 0
                    end
            end
        end
    end
end

# Judge $line with the definitions in __vg_defs: 0 with __vg_r_* set, 1 when the analyzer could not
# answer (__vg_r_why says why).
function __vg_judge -a line
    set -g __vg_r_dec ''
    set -g __vg_r_notice ''
    set -g __vg_r_cmd ''
    set -g __vg_r_why ''
    set -g __vg_r_callees ''
    for try in 1 2
        if not __vg_alive
            __vg_start
            if not __vg_alive
                set -g __vg_r_why 'the analyzer could not start'
                return 1
            end
        end
        __vg_sync_env
        set -g __vg_ring $__vg_ring[2..-1] $__vg_ring[1]
        set -g __vg_seq $__vg_ring[1]
        # Written directly: __vg_alive just answered (and __vg_recv asks again before it reads).
        # (Never an empty list: it would erase the whole word it is joined to.)
        set -l defs ''
        test -n "$__vg_defs$__vg_jfl"; and set defs \t$__vg_jfl$__vg_defs
        if builtin echo -n "$__vg_d"J\t$__vg_seq\t(__vg_esc "$PWD")\t(__vg_esc "$line")$defs\n >$__vg_dir/in; and set -g __vg_d ''; and __vg_recv $__vg_seq
            break
        end
        # Dead (killed, crashed): start a fresh one and ask again.
        if test $try = 1; and not __vg_alive
            continue
        end
        set -g __vg_r_why 'the analyzer exited'
        return 1
    end
    if test "$__vg_r_dec" = error
        set -g __vg_r_why "analyzer error: $__vg_r_notice"
        return 1
    end
    return 0
end

# A function is fish code living in this shell: the hook sends the definitions of the user's own
# functions among the names given (the analyzer judges the body; a sandboxed line runs under `fish
# -c`, which loads them itself). Functions fish ships (in $__fish_data_dir: `ls`, `cd`, `ll`…) are
# part of fish. 0: something new was added.
function __vg_define
    set -l new 1
    for w in $argv
        # `?`: on no PATH — with no function of that name, fish runs fish_command_not_found.
        if string match -q -- '\\?*' $w
            set w (string sub -s 2 -- $w)
            functions -q -- $w; or set w fish_command_not_found
        end
        string match -q -- 'vg' $w; or string match -q -- '__vg_*' $w; and continue
        contains -- $w $__vg_defd; and continue
        set -g -a __vg_defd $w
        __vg_user_function $w; or continue
        set -g __vg_defs "$__vg_defs"\tf:$w\t(__vg_esc (functions --no-details -- $w | string collect))
        set new 0
    end
    return $new
end

# 0: $w is a function the user (or something they installed outside fish) defined.
function __vg_user_function -a w
    functions -q -- $w; or return 1
    set -l file (functions --details -- $w)
    not string match -q -- "$__fish_data_dir/*" $file
end

# The verdict names callees: while any of them is a user function not sent yet, judge again with its
# definition (a body may call more). 0 with __vg_r_* set; 1 when the analyzer could not answer.
# Past 8 rounds it stops following and asks once more with flag i: the analyzer then judges the line
# at least medium (sandboxed, not run on the host unjudged). Past 64 KB of definitions the analyzer
# does the same itself and names no more callees.
function __vg_resolve -a line
    for round in 1 2 3 4 5 6 7 8
        test -n "$__vg_r_callees"; and __vg_define (string split -n -- ' ' $__vg_r_callees); or return 0
        __vg_judge $line; or return 1
    end
    test -n "$__vg_r_callees"; and __vg_define (string split -n -- ' ' $__vg_r_callees); or return 0
    set -g __vg_jfl i
    __vg_judge $line
end

# The fallback runs lines unchecked; never one that plainly destroys HOME or the system.
function __vg_plainly_critical -a line
    if string match -qr '(^|[;&|({\s])rm\s+(-[a-zA-Z]*[rRf]|--recursive|--force)' -- $line
        and string match -qr '(\s/|\s~|\$HOME|\{HOME\}|/\*)' -- $line
        return 0
    end
    string match -qr '(mkfs|wipefs|of=/dev/|:\(\)\s*\{)' -- $line
end

function __vg_say
    string split -- \x1e $argv[1] >&2
end

# === history: keep what was typed, not ` __vg_run` ===============================================
# fish 3.6 has no `history append`: write the entry to the history file and merge it in.
function __vg_hist_add -a line
    string match -q ' *' -- $line; and return
    set -l name fish
    set -q fish_history; and set name $fish_history
    test -n "$name"; or return
    set -l dir $XDG_DATA_HOME
    test -n "$dir"; or set dir $HOME/.local/share
    set -l file $dir/fish/{$name}_history
    test -d $dir/fish; or return
    set -l esc (string replace -a -- \\ \\\\ $line | string join -- \\n)
    printf '%s\n' "- cmd: $esc" "  when: "(command date +%s) >>$file
    builtin history merge
end

# === abbreviations ==============================================================================
# fish expands the abbreviation under the cursor when it executes the line — after this hook has
# read it: `gco⏎` would be judged as `gco` and run as `git checkout …`. So the hook expands it first.
# A plain abbreviation is expanded here, in place (0: done). One that fish computes (--function,
# --regex, --set-cursor) is left to fish's own expand-abbr (2: the caller shows the result and the
# next Enter judges it). 1: nothing to expand.
function __vg_abbr -a tok
    if not builtin abbr -q -- $tok
        # A --regex one matches tokens other than its name (the whole token, as fish anchors it), in
        # command position unless it says anywhere — as fish would expand it.
        set -q __vg_rabbr[1]; or return 1
        set -l before (commandline -cpo)
        for i in (seq (count $__vg_rabbr))
            string match -rq -- "^(?:$__vg_rabbr[$i])\$" $tok; or continue
            test $__vg_rabbr_any[$i] = 1; or not set -q before[1]; and return 2
        end
        return 1
    end
    for l in (builtin abbr --show)
        # `abbr -a [options] -- NAME [EXPANSION]` (a --function one has no expansion to show).
        set -l m (string match -r -- '^abbr -a (.*?)-- (\S+)(?: (.*))?$' $l); or continue
        test (string unescape -- $m[3]) = $tok; or continue
        string match -qr -- '--(function|regex|set-cursor)' "$m[2]"; and return 2
        set -q m[4]; or return 2
        # Position "command" (the default): only as a process's first word, as fish does.
        if not string match -q -- '*--position anywhere*' "$m[2]"
            set -l before (commandline -cpo)
            set -q before[1]; and return 1
        end
        commandline -t -- (string unescape -- $m[4] | string collect)
        return 0
    end
    return 1
end

# The patterns of the --regex abbreviations, for __vg_abbr: read when vg loads and again whenever
# `abbr` adds or erases one (the wrapper below), never per Enter.
function __vg_abbr_scan
    set -g __vg_rabbr
    set -g __vg_rabbr_any
    for l in (builtin abbr --show)
        set -l m (string match -r -- '^abbr -a .*?--regex (\'(?:[^\'\\\\]|\\\\.)*\'|\S+)' $l); or continue
        set -g -a __vg_rabbr (string unescape -- $m[2])
        string match -q -- '* --position anywhere *' $l; and set -g -a __vg_rabbr_any 1; or set -g -a __vg_rabbr_any 0
    end
end
function abbr --wraps abbr --description 'fish abbr; vg re-reads the --regex ones after a change'
    builtin abbr $argv
    set -l st $status
    contains -- --regex $argv; or contains -- -e $argv; or contains -- --erase $argv; or string match -q -- '--regex=*' $argv; and __vg_abbr_scan
    return $st
end
__vg_abbr_scan

# === Enter ======================================================================================
function __vg_enter
    set -l last $status
    test -n "$__vg_pending"; and __vg_report $last
    if test "$__VG_STATE" = off
        commandline -f execute
        return
    end
    # The common case asks fish once (abbr -q) and calls nothing: see __vg_abbr.
    set -l tok (commandline -t)
    test -n "$tok"; and begin
        builtin abbr -q -- $tok; or set -q __vg_rabbr[1]
    end; and __vg_abbr $tok
    if test $status -eq 2
        # fish computes this one: let it expand, show it, and judge it on the next Enter. (The same
        # buffer twice means it did not expand here — a word fish leaves alone: go on.)
        set -l now (commandline | string collect)
        if test "$__vg_abbr_seen" != "$now"
            set -g __vg_abbr_seen $now
            commandline -f expand-abbr repaint
            return
        end
    end
    test -n "$__vg_abbr_seen"; and set -g __vg_abbr_seen ''
    # A command substitution splits on newlines; only a multi-line buffer pays for joining them back
    # (a pipe into `string collect` for every line cost ~75 µs here).
    set -l line (commandline)
    set -q line[2]; and set line (string join \n -- $line | string collect)
    if not string match -qr '\S' -- "$line"
        commandline -f execute
        return
    end
    # Incomplete (fish adds a newline) or invalid (fish reports it): fish handles those itself.
    commandline --is-valid
    if test $status -ne 0
        commandline -f execute
        return
    end
    set -g __vg_pending ''
    if string match -qr '^\s*vg\s+(on|off|status)(\s+-[-a-z]+)*\s*$' -- $line
        commandline -f execute
        return
    end
    # Flag n: the first word is none of fish's functions (a plain line may then skip `fish -c` in
    # the sandbox: direct.ts). An alias is a function too. A function of the user's own is sent
    # with its definition, off the common path.
    set -l fl n
    if string match -rq -- '^\s*(?<__vg_w>[^\s;|&<>()]+)' $line; and functions -q -- $__vg_w
        set fl ''
        set -g __vg_defs ''
        set -g __vg_defd
        set -g __vg_jfl ''
        __vg_define $__vg_w; and set fl u
    end
    # The common case (environment unchanged, nothing to escape, analyzer alive and running): one
    # write that carries the last line's report, one read. Each command costs fish ~60 µs here, so
    # __vg_alive's check is inline: before the request, and again before the answer FIFO is opened
    # (an open with no writer blocks: the analyzer may have died judging this line). Not one open
    # around both: `read` in a redirected block takes a byte per syscall, ~9 ms for a sandbox answer.
    set -l judged 1
    if test $fl != u; and test "$__vg_env_sent" = "$PATH"\x1f"$HOME"\x1f"$VG_AGENT"; and not string match -qr '[\\\\\t\r\n]' -- "$PWD$line"
        and test -p "$__vg_dir/in"; and test -r /proc/$__vg_srv_pid/stat; and read -l st </proc/$__vg_srv_pid/stat
        and not string match -qr '^.*\) [ZTt] ' -- $st
        set -g __vg_ring $__vg_ring[2..-1] $__vg_ring[1]
        set -g __vg_seq $__vg_ring[1]
        builtin echo -n "$__vg_d"J\t$__vg_seq\t$PWD\t$line\t$fl\n >$__vg_dir/in
        set -g __vg_d ''
        set -l l
        # (A dead analyzer's /proc entry may linger as a zombie's, whose cwd is gone.)
        test -e /proc/$__vg_srv_pid/cwd; and read l <$__vg_dir/out
        if string match -q -- R\x1f$__vg_seq\x1fhost\x1f'*'\x1f\x1f "$l"
            set -g __vg_pending $__vg_seq
            set -g __vg_how host
            commandline -f execute
            return
        end
        if test $fl = n
            set -g __vg_defs ''
            set -g __vg_defd
            set -g __vg_jfl ''
        end
        set -g __vg_r_dec ''
        set -g __vg_r_notice ''
        set -g __vg_r_cmd ''
        set -l f (string split -- \x1f "$l")
        if test "$f[1]" = R; and test "$f[2]" = "$__vg_seq"
            test "$f[3]" = error; and string match -qr '^(host|block)$' -- $f[4]; and set -g __vg_fallback $f[4]
            set -g __vg_r_dec $f[3]
            set -g __vg_r_risk $f[4]
            set -g __vg_r_notice $f[5]
            set -g __vg_r_cmd $f[6]
            set -g __vg_r_callees $f[7]
            set judged 0
        else if __vg_recv $__vg_seq
            set judged 0
        else
            set -g __vg_r_why 'the analyzer exited'
        end
        if test $judged = 0; and test "$__vg_r_dec" = error
            set -g __vg_r_why "analyzer error: $__vg_r_notice"
            set judged 1
        end
    else
        if test $fl = n
            set -g __vg_defs ''
            set -g __vg_defd
            set -g __vg_jfl ''
        end
        __vg_judge $line; and set judged 0
    end
    if test $judged = 0; and test -n "$__vg_r_callees"
        __vg_resolve $line; or set judged 1
    end
    if test $judged = 0; and contains -- "$__vg_r_dec" sandbox prompt; and __vg_env_scan send
        __vg_judge $line; or set judged 1
    end
    if test $judged != 0
        set -g __vg_pending $__vg_seq
        set -g __vg_how fallback
        if test "$__vg_fallback" = block; or __vg_plainly_critical $line
            set -g __vg_x_dec fallback
            set -g __vg_x_line $line
            set -g __vg_x_notice "vg: $__vg_r_why — line not run (shell.fallback: $__vg_fallback); `vg off` suspends checking"
            __vg_hist_add $line
            commandline -r ' __vg_run'
        else
            echo >&2
            __vg_say "vg: $__vg_r_why — running on the host unchecked (shell.fallback: host)"
            commandline -f repaint
        end
        commandline -f execute
        return
    end
    set -g __vg_pending $__vg_seq
    switch $__vg_r_dec
        case host more
            set -g __vg_how host
            if test -n "$__vg_r_notice"
                echo >&2
                __vg_say $__vg_r_notice
                commandline -f repaint
            end
        case '*'
            set -g __vg_how $__vg_r_dec
            set -g __vg_x_dec $__vg_r_dec
            set -g __vg_x_line $line
            set -g __vg_x_cmd $__vg_r_cmd
            set -g __vg_x_notice $__vg_r_notice
            __vg_hist_add $line
            commandline -r ' __vg_run'
    end
    commandline -f execute
end

function __vg_ask -a question
    set -l saved (command stty -g </dev/tty 2>/dev/null)
    command stty -icanon -echo -isig min 1 time 0 </dev/tty 2>/dev/null
    printf '%s ' $question >/dev/tty
    set -l key (command dd bs=1 count=1 2>/dev/null </dev/tty)
    test -n "$saved"; and command stty $saved </dev/tty 2>/dev/null
    switch "$key"
        case s S
            set -g __vg_key s
        case y Y
            set -g __vg_key y
        case r R
            set -g __vg_key r
        case '*'
            set -g __vg_key n
    end
    switch $__vg_key
        case s
            echo sandbox >/dev/tty
        case y
            echo 'yes, on the host' >/dev/tty
        case r
            echo 'remember, on the host' >/dev/tty
        case '*'
            echo no >/dev/tty
    end
end

# Redraw the accepted line as typed (the terminal shows ` __vg_run` otherwise).
function __vg_redraw -a line
    isatty stderr; or return 0
    test "$TERM" != dumb; or return 0
    set -l p
    functions -q fish_prompt; and set p (fish_prompt 2>/dev/null | string collect | string split -- \n)[-1]
    printf '\e[1A\r\e[J' >&2
    printf '%s' "$p" >&2
    printf '%s\n' (string split -- \n $line) >&2
end

function __vg_run
    set -l dec $__vg_x_dec
    set -l line $__vg_x_line
    set -l cmd $__vg_x_cmd
    set -l notice $__vg_x_notice
    set -l id $__vg_pending
    set -g __vg_x_dec ''
    set -g __vg_x_cmd ''
    if test -z "$dec"
        echo 'vg: nothing to run' >&2
        return 1
    end
    __vg_redraw $line
    switch $dec
        case block fallback
            set -g __vg_how block
            __vg_say $notice
            return 126
        case prompt
            if test -n "$VG_AGENT"
                set -g __vg_key s
            else
                __vg_ask $notice
            end
            __vg_send A\t$id\t$__vg_key
            switch $__vg_key
                case s
                    if test -z "$cmd"
                        set -g __vg_how error
                        __vg_say 'vg: the sandbox cannot start here — run `vg doctor`'
                        return 125
                    end
                    set -g __vg_how sandbox
                    eval $cmd
                    return $status
                case y r
                    set -g __vg_how host
                    eval $line
                    return $status
                case '*'
                    set -g __vg_how cancel
                    return 126
            end
        case sandbox
            if test -z "$cmd"
                set -g __vg_how error
                __vg_say $notice
                return 125
            end
            test -n "$notice"; and __vg_say $notice
            set -g __vg_how sandbox
            eval $cmd
            return $status
    end
end

# === after each line: report ===================================================================
# The report rides along with the next request (__vg_d) rather than opening the FIFO and waking the
# analyzer at every prompt; the analyzer dates it from when it judged the line plus the duration.
# It is taken when Enter is next pressed (__vg_report): $status and $CMD_DURATION are still the
# last line's there. No handler runs at every prompt — a fish_prompt event handler cost ~1.6 ms a
# line here (fish_postexec's, before that, as much); a dead analyzer is restarted on the next Enter.
function __vg_report -a st
    set -g __vg_d "$__vg_d"D\t$__vg_pending\t$st\t$CMD_DURATION\t$__vg_how\n
    set -g __vg_pending ''
end

# Key bindings may have been reset (fish_vi_key_bindings, a change of fish_key_bindings): those
# functions erase every binding after setting the variable, so vg's are put back at the next prompt,
# by a handler that runs once.
function __vg_on_bindings --on-variable fish_key_bindings
    function __vg_rebind --on-event fish_prompt
        functions -e __vg_rebind
        __vg_bind
    end
end

# === the `vg` function: on/off/status act on this shell =======================================
function vg
    switch "$argv[1]"
        case off
            if test -n "$VG_AGENT"
                echo 'vg: `vg off` is refused in an agent session (VG_AGENT is set) — ask the person at the keyboard' >&2
                return 1
            end
            set -g __VG_STATE off
            echo 'vg: off — lines in this shell run unchecked until `vg on`' >&2
        case on
            set -g __VG_STATE on
            __vg_alive; or __vg_start
            echo 'vg: on — this shell is guarded' >&2
        case status
            __VG_STATE=$__VG_STATE __VG_SHELL=fish __VG_SERVER_PID=$__vg_srv_pid __VG_SESSION=$__vg_session $__vg_cmd status $argv[2..-1]
        case trust
            if test -n "$VG_AGENT"; and contains -- "$argv[2]" add remove rm clear
                echo "vg: `vg trust $argv[2]` is refused in an agent session (VG_AGENT is set) — ask the person at the keyboard" >&2
                return 1
            end
            $__vg_cmd $argv
        case '*'
            $__vg_cmd $argv
    end
end

# === install ====================================================================================
function __vg_bind
    for key in \r \n \e\[13u \e\[27\;1\;13~
        bind $key __vg_enter 2>/dev/null
        # vi mode: from insert, and from normal mode back to insert (as fish's own Enter does).
        bind -M insert $key __vg_enter 2>/dev/null
        if test "$fish_key_bindings" = fish_vi_key_bindings
            bind -M default -m insert $key __vg_enter 2>/dev/null
        end
    end
end

__vg_bind
__vg_start

end
