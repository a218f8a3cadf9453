import FleetCore

/// A ``RemoteExecutor`` that runs the command on this machine, without ssh: the transport of
/// `fleetctl demo` (several agent-runner projects on one machine watched as a fleet) and of
/// hosts declared `local` in an inventory. Same deadlines, caps and outcome classification as
/// ssh, so everything above the transport behaves identically.
public struct LocalExecutor: RemoteExecutor {
    public var environment: [String: String]
    public var runner: any ProcessRunner
    public var terminationGrace: Duration

    public init(
        environment: [String: String] = ProcessRequest.currentEnvironment(),
        runner: any ProcessRunner = PosixProcessRunner(),
        terminationGrace: Duration = .seconds(1)
    ) {
        self.environment = environment
        self.runner = runner
        self.terminationGrace = terminationGrace
    }

    public func run(
        host: RemoteHost, argv: [String], stdin: [UInt8]?, deadline: ContinuousClock.Instant, outputLimit: Int
    ) -> RemoteResult {
        guard let executable = argv.first, !executable.isEmpty else {
            return .notStarted(host, kind: .configuration, "empty command")
        }
        let request = ProcessRequest(
            executable, arguments: Array(argv.dropFirst()), environment: environment,
            standardInput: stdin.map { .bytes($0) } ?? .null, standardOutput: .capture(limit: max(0, outputLimit)),
            standardError: .capture(limit: 256 << 10), grouping: .newProcessGroup, deadline: deadline,
            terminationGrace: terminationGrace)
        let budget = max(.zero, deadline - .now)
        do {
            let output = try runner.run(request)
            return RemoteOutcomeClassifier(host: host, argv: argv, outputLimit: outputLimit, budget: budget).classify(
                output)
        } catch {
            let detail = (error as? ProcessError)?.message ?? "\(error)"
            return RemoteResult(
                host: host.name, outcome: .remoteFailure(exitCode: 127, stderrTail: detail),
                errorMessage: "\(host.label): cannot run \(executable): \(detail)")
        }
    }
}
