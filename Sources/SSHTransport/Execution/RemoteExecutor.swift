import FleetCore

/// Runs a command on a fleet host. fleetctl's verbs take a `RemoteExecutor` rather than
/// spawning ssh themselves, so their tests can substitute a fake returning canned
/// ``RemoteResult``s; ``SSHExecutor`` is the real one.
///
/// Never throws and never blocks past `deadline` (plus a short kill grace): every way a
/// call can end, including a refused setting, is a ``RemoteOutcome`` with a message.
public protocol RemoteExecutor: Sendable {
    /// Runs `argv` on `host`. `stdin` is sent then closed; nil means /dev/null. At most
    /// `outputLimit` bytes of stdout are accepted (more is `.badOutput`).
    func run(
        host: RemoteHost, argv: [String], stdin: [UInt8]?, deadline: ContinuousClock.Instant, outputLimit: Int
    ) -> RemoteResult
}

extension RemoteExecutor {
    /// `run` with stdin on /dev/null unless given, and the default output limit.
    public func run(
        host: RemoteHost, argv: [String], stdin: [UInt8]? = nil, deadline: ContinuousClock.Instant
    ) -> RemoteResult {
        run(host: host, argv: argv, stdin: stdin, deadline: deadline, outputLimit: RemoteResult.defaultOutputLimit)
    }

    /// Runs a command that must print one JSON document (`agent-runner peek --json`) and
    /// parses it within `limits` (by default 4 MiB, depth 64: a broken or hostile remote
    /// cannot exhaust fleetctl's memory or stack). Output that is not JSON, empty or too
    /// large becomes `.badOutput` with a message saying what was printed instead.
    public func runJSON(
        host: RemoteHost, argv: [String], stdin: [UInt8]? = nil, deadline: ContinuousClock.Instant,
        limits: JSONParser.Limits = RemoteJSONResult.defaultLimits
    ) -> RemoteJSONResult {
        var result = run(host: host, argv: argv, stdin: stdin, deadline: deadline, outputLimit: limits.maxBytes)
        guard case .ok(let stdout) = result.outcome else { return RemoteJSONResult(result: result, document: nil) }
        let command = "`" + OperatorText.preview(argv.joined(separator: " "), limit: 80) + "`"
        let reason: String
        do {
            if stdout.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                reason =
                    "\(command) printed nothing on stdout, but a JSON document was expected; is the remote agent-runner recent enough for this command?"
            } else {
                return RemoteJSONResult(
                    result: result, document: try JSONParser(limits: limits, invalidUTF8: .replace).parse(stdout))
            }
        } catch {
            let printed = OperatorText.preview(String(decoding: stdout.prefix(400), as: UTF8.self), limit: 120)
            reason =
                "\(command) did not print valid JSON (\(error)); it printed: \"\(printed)\". Check that the remote agent-runner is recent enough for this command, and that the remote shell startup files (~/.bashrc) print nothing"
        }
        result.outcome = .badOutput(reason)
        result.errorMessage = "\(host.label): \(reason)"
        return RemoteJSONResult(result: result, document: nil)
    }
}
