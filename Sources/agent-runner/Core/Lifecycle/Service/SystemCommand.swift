import FleetCore

/// A host tool (`systemctl`, `loginctl`) found on PATH and run through the ProcessRunner with a
/// deadline on `clock`, so a hung D-Bus never hangs a lifecycle verb. Tests script the runner
/// (the command line is data) or put a recording fake first on PATH.
public struct SystemCommand: Sendable {
    public let name: String
    /// The resolved program, or nil when it is not on PATH (Alpine/OpenRC, most containers).
    public let executable: String?
    let runner: any ProcessRunner
    let clock: any MonotonicClock
    let environment: [String: String]
    let timeout: Duration

    public init(
        _ name: String, runner: any ProcessRunner, clock: any MonotonicClock, environment: [String: String],
        timeout: Duration = .seconds(10)
    ) {
        self.name = name
        self.runner = runner
        self.clock = clock
        self.environment = environment
        self.timeout = timeout
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        executable = Directories.resolveExecutable(name, path: path, base: "/")
    }

    /// Throws the "not on this host" message when the tool is missing.
    @discardableResult
    public func requireAvailable() throws(LifecycleError) -> String {
        guard let executable else {
            throw LifecycleError(
                "\(name) not found on PATH (\(environment["PATH"] ?? "")); this host has no systemd "
                    + "(Alpine/OpenRC, a container): use 'agent-runner start' to run serve without it")
        }
        return executable
    }

    /// Runs `name arguments...`; a non-zero exit is returned, not thrown.
    public func run(_ arguments: [String]) throws(LifecycleError) -> ProcessOutput {
        let executable = try requireAvailable()
        let request = ProcessRequest(
            executable, arguments: arguments, environment: environment,
            deadline: clock.now + timeout, terminationGrace: .seconds(1))
        let output: ProcessOutput
        do {
            output = try runner.run(request)
        } catch {
            throw LifecycleError("cannot run \(name): \(error)")
        }
        if output.timedOut {
            throw LifecycleError(
                "'\(name) \(arguments.joined(separator: " "))' did not answer within "
                    + "\(timeout.components.seconds) s; is D-Bus or systemd stuck? (try it by hand)")
        }
        return output
    }

    /// Runs and requires exit 0; the error quotes the command and what it printed.
    public func check(_ arguments: [String]) throws(LifecycleError) {
        let output = try run(arguments)
        guard output.exit.isSuccess else {
            let said = (output.stderrText + output.stdoutText).trimmedLines
            let command = "\(name) \(arguments.joined(separator: " "))"
            throw LifecycleError("'\(command)' failed (\(output.exit))\(said.isEmpty ? "" : ": " + said)")
        }
    }
}

extension String {
    /// The text without surrounding whitespace, its lines joined with "; " (for one-line messages).
    var trimmedLines: String {
        split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { String($0).trimmingCharacters(in: " \t") }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
    }
}
