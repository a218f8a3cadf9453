import Monitoring

/// The POSIX sh a migration runs on a host, as argv (`sh -c SCRIPT NAME ARGS...`): every value
/// is a positional parameter, never spliced into the script, so a path with quotes or `$(...)`
/// stays one literal word. Backing up and restoring use only sh and coreutils (cp, sha256sum, od,
/// xargs, env, setsid) and the original's own verbs, never our build: a bad build must not be
/// able to stand in the way of putting the original back.
///
/// Paths are as ssh's landing directory (the home) sees them: `~/x` arrives as `x`
/// (``AgentRunnerCommand/remotePath(_:)``); the scripts make them absolute before any `cd`.
public enum MigrationScripts {
    /// `$0` of every script, so its own error messages say where they come from.
    static let name = "fleetctl-migrate"

    static func argv(_ script: String, _ arguments: [String]) -> [String] {
        ["sh", "-c", script, name] + arguments
    }

    /// Shared helpers: `abs PATH` (absolute from the landing directory), `units` (the user unit folder).
    static let prelude = #"""
        set -u
        abs() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
        units=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user
        """#

    // MARK: record

    /// Copies what a restore needs into the backup folder (0700) and prints the manifest
    /// (``MigrationRecord/init(manifest:)``): the config and its `.bak*` files byte for byte, each
    /// existing user unit of the project with its is-enabled/is-active answers, and for a
    /// pid-file serve its command line, working directory and environment (`/proc/PID`; the
    /// environment stays on the host: it may hold API keys). Refuses a host whose serve or unit
    /// already runs our link: it is migrated, and its "original" state would be ours.
    ///
    /// Arguments: backup folder, config, serve unit, monitor unit, serve pid (or empty), our link.
    static let record =
        prelude + #"""

            b=$(abs "$1"); config=$(abs "$2"); serve_unit=$3; monitor_unit=$4; pid=$5; link=$(abs "$6")
            umask 077
            rm -rf "$b" && mkdir -p "$b" || exit 1
            if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] \
                && tr '\0' '\n' < "/proc/$pid/cmdline" | grep -qxF "$link"; then
                echo "serve (pid $pid) already runs $link: this host is migrated; set agent_runner = $link for it" >&2
                exit 3
            fi
            cp -p "$config" "$b/config" || exit 1
            echo "backup=$b"
            echo "config_sha256=$(sha256sum < "$config" | cut -d ' ' -f 1)"
            for f in "$config".bak*; do
                [ -f "$f" ] || continue
                cp -p "$f" "$b/bak.$(basename "$f")" || exit 1
                echo "bak=$(basename "$f")"
            done
            for u in "$serve_unit" "$monitor_unit"; do
                [ -f "$units/$u" ] || continue
                if grep -q "^ExecStart=.*$link" "$units/$u"; then
                    echo "$units/$u already starts $link: this host is migrated; set agent_runner = $link for it" >&2
                    exit 3
                fi
                cp -p "$units/$u" "$b/unit.$u" || exit 1
                enabled=$(systemctl --user is-enabled "$u" 2>/dev/null)
                active=$(systemctl --user is-active "$u" 2>/dev/null)
                echo "unit=$u ${enabled:-unknown} ${active:-unknown}"
            done
            if [ -n "$pid" ]; then
                cp "/proc/$pid/cmdline" "$b/cmdline" && cp "/proc/$pid/environ" "$b/environ" \
                    && readlink "/proc/$pid/cwd" > "$b/cwd" || { echo "cannot read /proc/$pid (serve)" >&2; exit 1; }
                echo "cmdline_hex=$(od -An -v -tx1 "$b/cmdline" | tr -d ' \n')"
                echo "cwd=$(cat "$b/cwd")"
            fi
            if [ -e "$link" ] || [ -L "$link" ]; then echo "link_existed=1"; fi
            """#

    // MARK: install

    /// Puts our build (stdin) at `versions/<version>/agent-runner` after checking its sha256, and
    /// points our link at it. Refuses a link that exists and points anywhere else (it may be the
    /// original's entry point). Arguments: versions folder, version, link, sha256.
    static let install =
        prelude + #"""

            dir=$(abs "$1")/$2; link=$(abs "$3")
            if [ -e "$link" ] || [ -L "$link" ]; then
                case $(readlink "$link") in
                    "$(abs "$1")"/*) ;;
                    *) echo "$link exists and is not our link into $(abs "$1"); pass --link PATH" >&2; exit 1 ;;
                esac
            fi
            mkdir -p "$dir" "$(dirname "$link")" || exit 1
            cat > "$dir/agent-runner.new" || exit 1
            got=$(sha256sum < "$dir/agent-runner.new" | cut -d ' ' -f 1)
            if [ "$got" != "$4" ]; then
                rm -f "$dir/agent-runner.new"
                echo "the build arrived with sha256 $got, not $4; nothing installed" >&2
                exit 1
            fi
            chmod 755 "$dir/agent-runner.new" && mv -f "$dir/agent-runner.new" "$dir/agent-runner" || exit 1
            ln -sfn "$dir/agent-runner" "$link" || exit 1
            echo "installed=$dir/agent-runner"
            """#

    // MARK: config

    /// Our `migrate` on the config, then `[upgrade] bin_link` = our link when the file sets no
    /// `[upgrade]` (see ``MigrationSettings``). Arguments: our link, config.
    static let migrateConfig =
        prelude + #"""

            link=$(abs "$1"); config=$(abs "$2")
            "$link" migrate --config "$config" || exit $?
            if ! grep -Eq '^[[:space:]]*(\[upgrade\]|upgrade[[:space:]]*[.=])' "$config"; then
                printf '\n[upgrade]\nbin_link = "%s"\n' "$link" >> "$config" || exit 1
                echo "set [upgrade] bin_link = $link"
            fi
            """#

    // MARK: starting serve

    /// Starts `EXECUTABLE ARGS...` as the recorded pid-file serve ran: in its working directory,
    /// with exactly its environment (`env -i` + the recorded one), in a new session, stdin
    /// /dev/null, output appended to `serve.out` in the backup folder; detached (xargs's child
    /// backgrounds it and exits). Arguments: backup folder, executable, arguments...
    static let launch =
        prelude + #"""

            b=$(abs "$1"); exe=$(abs "$2"); shift 2
            cd "$(cat "$b/cwd")" || exit 1
            detach=; command -v setsid >/dev/null 2>&1 && detach=setsid
            { cat "$b/environ"; printf '%s\0' "$exe" "$@"; } \
                | $detach xargs -0 sh -c 'env -i "$@" </dev/null >>"$0" 2>&1 & echo "started=$!"' "$b/serve.out"
            """#

    // MARK: restore

    /// Puts the config and its `.bak*` files back byte for byte (removing backups made since) and
    /// prints the config's sha256. Arguments: backup folder, config.
    static let restoreConfig =
        prelude + #"""

            b=$(abs "$1"); config=$(abs "$2")
            cmp -s "$b/config" "$config" || cp -p "$b/config" "$config" || exit 1
            for f in "$config".bak*; do
                [ -f "$f" ] || continue
                [ -f "$b/bak.$(basename "$f")" ] || rm -f "$f" || exit 1
            done
            for f in "$b"/bak.*; do
                [ -f "$f" ] || continue
                cp -p "$f" "$(dirname "$config")/${f##*/bak.}" || exit 1
            done
            echo "config_sha256=$(sha256sum < "$config" | cut -d ' ' -f 1)"
            """#

    /// Puts each recorded unit file back, with its enabled and active state, removes units the
    /// original did not have, and removes our link and build when the host had no link before.
    /// Arguments: backup folder, our link, link existed (1/0), our build folder, then one
    /// `NAME ENABLED ACTIVE` per recorded unit, then `--`, then unit names to remove if present.
    static let restoreUnits =
        prelude + #"""

            b=$(abs "$1"); link=$(abs "$2"); existed=$3; build=$(abs "$4"); shift 4
            reload=
            while [ $# -gt 0 ] && [ "$1" != -- ]; do
                set -- $1 "$@"; u=$1; enabled=$2; shift 4
                mkdir -p "$units" && cp "$b/unit.$u" "$units/$u" || exit 1
                reload=1
            done
            [ $# -gt 0 ] && shift
            for u in "$@"; do
                [ -f "$units/$u" ] || continue
                systemctl --user disable "$u" >/dev/null 2>&1
                rm -f "$units/$u" && reload=1
            done
            if [ -n "$reload" ]; then systemctl --user daemon-reload || exit 1; fi
            if [ "$existed" = 0 ]; then rm -f "$link" && rm -rf "$build" || exit 1; fi
            """#

    /// Sets a restored unit's enabled state and starts it when it was active. Arguments: unit,
    /// enabled answer, active answer (as recorded).
    static let restoreUnitState =
        prelude + #"""

            u=$1
            case $2 in
                enabled) systemctl --user enable "$u" || exit 1 ;;
                disabled) systemctl --user disable "$u" || exit 1 ;;
            esac
            if [ "$3" = active ]; then systemctl --user start "$u" || exit 1; fi
            echo "$u: $(systemctl --user is-enabled "$u" 2>/dev/null) $(systemctl --user is-active "$u" 2>/dev/null)"
            """#
}
