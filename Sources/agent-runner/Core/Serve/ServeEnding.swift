import FleetCore

/// Why serve stopped: the `reason` of `serve_stopped` and the exit code systemd acts on (0 is a
/// clean stop, so `Restart=on-failure` leaves it stopped; 70, 71, 75 and 78 are give-ups).
struct ServeEnding: Sendable, Equatable {
    var reason: String
    var exitCode: Int32

    /// SIGTERM or SIGINT, after the round in flight finished.
    static let signal = ServeEnding(reason: "signal", exitCode: ExitCode.success)
    /// `--once` ran its round.
    static let once = ServeEnding(reason: "once", exitCode: ExitCode.success)
    static let stopFile = ServeEnding(reason: "stop_file_detected", exitCode: ExitCode.success)
    /// The agent's `.agent-done` sentinel, or a throttle under `transient_error_action = "stop"`.
    static let selfTerminated = ServeEnding(reason: "agent_self_terminated", exitCode: ExitCode.success)
    static let maxRounds = ServeEnding(reason: "max_rounds_reached", exitCode: ExitCode.success)
    static let configBroken = ServeEnding(reason: "config_broken", exitCode: ExitCode.config)
    static let crashLoop = ServeEnding(reason: "crash_loop", exitCode: ExitCode.crashLoop)
    /// 5 memory-terminated rounds in a row; systemd restarts serve (71).
    static let memLoop = ServeEnding(reason: "mem_loop", exitCode: ExitCode.memLoop)
    /// The 3rd mem_loop within 2 h; systemd leaves serve stopped (70).
    static let memLoopPersistent = ServeEnding(reason: "mem_loop_persistent", exitCode: ExitCode.memLoopPersistent)
    static let startupHookFailed = ServeEnding(reason: "serve_startup_hook_failed", exitCode: ExitCode.failure)
}
