#!/usr/bin/env bash
# Run Trixy's TUI in a named tmux session, so an admin can `ssh` in and `tmux attach -t trixy-server`.
#
#   scripts/trixy-tmux.sh start  [server|client|standalone] [main.py args...]   start detached (no-op if running)
#   scripts/trixy-tmux.sh attach [mode]                                           attach (Ctrl-b d detaches again)
#   scripts/trixy-tmux.sh stop   [mode]                                           quit the TUI (Ctrl-q), then kill
#   scripts/trixy-tmux.sh status [mode]                                           exit 0 when the session runs
#   scripts/trixy-tmux.sh run    [mode] [args...]                                 start, then wait until it ends
#
# Environment: TRIXY_ROOT (default: this repo), TRIXY_PYTHON (default: $TRIXY_ROOT/.venv/bin/python),
# TRIXY_TMUX_SESSION (default: trixy-<mode>), TRIXY_TMUX_WIDTH/HEIGHT (default 160x48),
# TRIXY_TMUX_COMMAND (replaces "$TRIXY_PYTHON main.py <mode>", e.g. "python -m trixy_tui server").
set -euo pipefail

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
action=$1
shift
mode=server
if [[ $# -ge 1 && $1 =~ ^(server|client|standalone)$ ]]; then
    mode=$1
    shift
fi

root=${TRIXY_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
python=${TRIXY_PYTHON:-$root/.venv/bin/python}
session=${TRIXY_TMUX_SESSION:-trixy-$mode}
width=${TRIXY_TMUX_WIDTH:-160}
height=${TRIXY_TMUX_HEIGHT:-48}

command -v tmux >/dev/null || { echo "trixy-tmux: tmux is not installed (apt-get install tmux)" >&2; exit 3; }

running() { tmux has-session -t "=$session" 2>/dev/null; }

start() {
    if running; then
        echo "trixy-tmux: session '$session' is already running (attach: tmux attach -t $session)"
        return 0
    fi
    local cmd
    if [[ -n ${TRIXY_TMUX_COMMAND:-} ]]; then
        cmd="$TRIXY_TMUX_COMMAND"
    else
        cmd="$(printf '%q ' "$python" "$root/main.py" "$mode" "$@")"
    fi
    # TERM inside tmux: 256 colours; the TUI needs a UTF-8 locale for its box drawing.
    tmux new-session -d -s "$session" -x "$width" -y "$height" -c "$root" \
        -e "LANG=${LANG:-C.UTF-8}" -e "TERM=tmux-256color" "$cmd"
    echo "trixy-tmux: started '$session' ($mode); attach with: tmux attach -t $session"
}

stop() {
    if ! running; then
        echo "trixy-tmux: session '$session' is not running"
        return 0
    fi
    tmux send-keys -t "=$session:" C-q
    for _ in $(seq 1 50); do
        running || { echo "trixy-tmux: '$session' stopped"; return 0; }
        sleep 0.2
    done
    tmux kill-session -t "=$session"
    echo "trixy-tmux: '$session' did not quit within 10 s; session killed"
}

case $action in
    start) start "$@" ;;
    attach) exec tmux attach -t "=$session" ;;
    stop) stop ;;
    status) running && echo "trixy-tmux: '$session' is running" || { echo "trixy-tmux: '$session' is not running"; exit 1; } ;;
    run)
        start "$@"
        while running; do sleep 5; done
        ;;
    *) usage ;;
esac
