/// What happened to one remote command, in the categories an operator acts on differently.
public enum RemoteOutcome: Sendable, Equatable {
    /// The command exited 0; its complete standard output.
    case ok([UInt8])
    /// ssh failed to run the command (exit 255, or ssh could not start). The string is an
    /// operator-facing explanation with the next step.
    case sshFailure(SSHFailureKind, String)
    /// The remote command ran and exited non-zero; the sanitized end of its stderr.
    case remoteFailure(exitCode: Int32, stderrTail: String)
    /// The deadline passed and ssh was killed (with its whole process group).
    case timeout(after: Duration)
    /// The command ran but its output is unusable: too large, or not the JSON expected.
    case badOutput(String)

    /// True for `.ok`.
    public var isOK: Bool {
        if case .ok = self { return true }
        return false
    }

    /// The standard output of a successful command.
    public var stdout: [UInt8]? {
        if case .ok(let bytes) = self { return bytes }
        return nil
    }

    /// A short stable name for logs and JSON: "ok", "ssh_failure", "remote_failure",
    /// "timeout", "bad_output".
    public var category: String {
        switch self {
        case .ok: return "ok"
        case .sshFailure: return "ssh_failure"
        case .remoteFailure: return "remote_failure"
        case .timeout: return "timeout"
        case .badOutput: return "bad_output"
        }
    }
}
