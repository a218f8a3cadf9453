import FleetCore

/// Runs `[hooks]` commands: in work_dir, with the supervisor's environment plus the round's
/// `AGENT_RUNNER_*` variables, stdin closed, a deadline on the effects' clock, and output
/// capped.
public struct HookRunner: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var exit: ExitStatus
        public var timedOut: Bool
        /// The last lines of stderr (then stdout), redacted, at most 500 scalars (2000 bytes).
        public var outputTail: String
        public var succeeded: Bool { exit == .terminated(0) && !timedOut }
        /// How it failed, as the failure events say it: `timeout`, or its exit (`exit 3`).
        public var failureText: String { timedOut ? "timeout" : exit.description }
    }

    let runner: any ProcessRunner
    let clock: any MonotonicClock
    let workDir: String

    public init(effects: Effects, workDir: String) {
        runner = effects.processes
        clock = effects.clock
        self.workDir = workDir
    }

    /// Runs `hook`; a hook that cannot even start is reported as exit 127 with the reason.
    public func run(_ hook: AgentRunnerConfig.HookCommand, environment: [String: String]) -> Outcome {
        let request = ProcessRequest(
            hook.argv[0], arguments: Array(hook.argv.dropFirst()), environment: environment, workingDirectory: workDir,
            standardOutput: .capture(limit: 64 << 10), standardError: .capture(limit: 64 << 10),
            deadline: clock.now + .seconds(hook.timeoutS), terminationGrace: .seconds(2))
        do {
            let output = try runner.run(request)
            let text = output.stderrText.isEmpty ? output.stdoutText : output.stderrText
            return Outcome(exit: output.exit, timedOut: output.timedOut, outputTail: Self.tail(text))
        } catch {
            return Outcome(exit: .terminated(127), timedOut: false, outputTail: "\(error)")
        }
    }

    static func tail(_ text: String) -> String {
        SecretRedactor.redact(text, clippedTo: 2000, maxScalars: 500, keeping: .tail).trimmingCharacters(in: "\n ")
    }
}
