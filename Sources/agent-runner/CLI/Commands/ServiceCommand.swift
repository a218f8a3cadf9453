import AgentRunnerCore
import FleetCore

/// `start`, `stop`, `kill`, `restart`: the supervisor's service, whichever way it runs here.
enum ServiceCommand {
    static let modes = """
        Works on a user unit installed by 'agent-runner install' (through systemctl --user), else
        on serve's pid file (no systemd: Alpine/OpenRC, containers). A project run by a system unit
        (install --system) is root's: the verbs refuse and print the sudo systemctl command.
        """

    static let startSpec = VerbSpec(
        "start", summary: "start the supervisor (systemctl --user start, or serve daemonized)",
        discussion: modes + """


            Without systemd, serve is started in a new session with stdin /dev/null and its output
            appended to <log_dir>/serve.log; start returns once serve has written serve.pid, or fails
            with what serve printed.
            """,
        exitCodes: [
            (ExitCode.success, "running (started now, or already running)"),
            (
                ExitCode.failure,
                "it did not start (the message quotes serve.log or systemctl), or a system unit runs this project"
            ),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is invalid"),
        ])

    static let stopSpec = VerbSpec(
        "stop", summary: "stop the supervisor after the current round (graceful)",
        discussion: modes + """


            Prints 'agent-runner: stopping service...' and, only once the supervisor has really
            exited, 'agent-runner: stopped (12.4 s)'. The wait is bounded by --timeout (default: the
            unit's TimeoutStopSec, i.e. the longest round plus its tail); after it, stop says it is
            still draining and exits 1 (the stop stays requested; 'agent-runner kill' stops it now).
            """,
        options: [
            OptionSpec(
                "timeout", value: "S",
                help: "Give up waiting after S seconds (30, 90s, 5m); default: the round's worst case.")
        ],
        exitCodes: [
            (ExitCode.success, "stopped, or was not running"),
            (
                ExitCode.failure,
                "still finishing its round after --timeout, serve runs as another user, a system unit runs this project, or systemctl failed"
            ),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is invalid"),
        ])

    static let killSpec = VerbSpec(
        "kill", summary: "force-stop the supervisor and the agent's whole process group now",
        discussion: modes + """


            SIGTERM to serve and to the agent's process group (log_dir/agent.pid) and every
            descendant that left it, then SIGKILL to whatever is left after 5 s. The round in flight
            is lost (its work stays in the tree for the next round's stash). With a user unit:
            systemctl --user kill (SIGTERM, then SIGKILL), then a stop job so systemd does not restart it.
            """,
        exitCodes: [
            (ExitCode.success, "nothing of the supervisor or its agent is left running"),
            (
                ExitCode.failure,
                "a process survived SIGKILL or runs as another user, a system unit runs this project, or systemctl failed"
            ),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is invalid"),
        ])

    static let restartSpec = VerbSpec(
        "restart", summary: "stop (or kill with --force), then start: loads a changed config or a new build",
        discussion: modes + " A stop still draining after --timeout aborts the restart (no second supervisor).",
        options: [
            OptionSpec("force", help: "Use kill instead of a graceful stop."),
            OptionSpec("timeout", value: "S", help: "Bound the graceful stop (as stop --timeout)."),
        ],
        exitCodes: [
            (ExitCode.success, "running again"),
            (ExitCode.failure, "the stop or the start failed, or a system unit runs this project"),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        SessionLoss.outlive()
        let timeout: Double?
        do {
            timeout = try parsed.seconds("timeout")
        } catch {
            return runner.usageFailure(error, context: context)
        }
        let setup: LifecycleSetup
        switch LifecycleSetup.load(parsed, context: context, runner: runner) {
        case .success(let loaded): setup = loaded
        case .failure(let failure): return failure.code
        }
        let controller = setup.controller
        let wait = timeout.map { Duration.milliseconds(Int64($0 * 1000)) }
        do throws(LifecycleError) {
            switch parsed.verb {
            case startSpec.name: try controller.start()
            case stopSpec.name: try controller.stop(timeout: wait)
            case killSpec.name: try controller.kill()
            default: try controller.restart(force: parsed.has("force"), timeout: wait)
            }
        } catch {
            context.stderr.write("agent-runner: \(error.message)\n")
            setup.printState(parsed, context: context)
            return error.exitCode
        }
        setup.printState(parsed, context: context)
        return ExitCode.success
    }
}
