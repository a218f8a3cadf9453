import Detectors
import FleetCore
import SSHTransport

/// The real ``RemoteEventStream``: the system `ssh` (arguments from ``SSHCommandLine``: batch
/// mode, keepalives, `-T`, the remote words quoted) in its own session, stdin on /dev/null, stdout
/// read through a pipe as it comes, stderr captured for the failure's tail.
///
/// Unlike the original, which killed ssh's group as soon as stdout reached EOF and so often
/// recorded its own kill (rc 255) instead of ssh's real exit (127 for a missing agent-runner),
/// it lets ssh exit by itself after EOF (up to ``exitWait``) and reports that code.
public struct SSHEventStream: RemoteEventStream {
    public var sshProgram: String
    /// ssh's environment: HOME (for ~/.ssh) and SSH_AUTH_SOCK matter.
    public var environment: [String: String]
    public var runner: any ProcessRunner
    /// SIGTERM to SIGKILL when the relay ends ssh.
    public var terminationGrace: Duration
    /// How long ssh may take to exit after its stdout closed.
    public var exitWait: Duration

    public init(
        sshProgram: String = "ssh", environment: [String: String] = ProcessRequest.currentEnvironment(),
        runner: any ProcessRunner = PosixProcessRunner(), terminationGrace: Duration = .seconds(5),
        exitWait: Duration = .seconds(2)
    ) {
        self.sshProgram = sshProgram
        self.environment = environment
        self.runner = runner
        self.terminationGrace = terminationGrace
        self.exitWait = exitWait
    }

    public func stream(
        host: RemoteHost, argv: [String], line: (String) -> Void, interrupted: () -> StreamEnd?
    ) -> RemoteStreamEnd {
        let arguments: [String]
        do {
            arguments = try SSHCommandLine.arguments(for: host, remoteCommand: argv)
        } catch {
            return .ended(RemoteFailure(returncode: 255, stderrTail: error.message))
        }
        let process: RunningProcess
        do {
            process = try runner.spawn(
                ProcessRequest(
                    sshProgram, arguments: arguments, environment: environment, standardInput: .null,
                    standardOutput: .pipe,
                    standardError: .capture(limit: 256 << 10), grouping: .newSession, terminationGrace: terminationGrace
                ))
        } catch {
            let reason = (error as? ProcessError)?.message ?? "\(error)"
            return .ended(RemoteFailure(returncode: 255, stderrTail: "cannot run ssh on this machine: \(reason)"))
        }
        guard let pipe = process.standardOutputPipe else {
            _ = process.terminate(grace: terminationGrace)
            return .ended(RemoteFailure(returncode: 255, stderrTail: "ssh was started without a stdout pipe"))
        }
        var pending: [UInt8] = []
        var exitedAt: ContinuousClock.Instant?
        reading: while true {
            if let reason = interrupted() {
                _ = process.terminate(grace: terminationGrace)
                pipe.close()
                return .interrupted(reason)
            }
            switch pipe.read(waitingUpTo: StreamWatch.tick) {
            case .bytes(let bytes):
                pending += bytes
                while let newline = pending.firstIndex(of: 0x0A) {
                    line(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                    if let reason = interrupted() {
                        _ = process.terminate(grace: terminationGrace)
                        pipe.close()
                        return .interrupted(reason)
                    }
                }
            case .nothingYet:
                // ssh gone while something it started (a ProxyCommand) still holds the pipe.
                if process.poll() != nil {
                    let since = exitedAt ?? .now
                    exitedAt = since
                    if ContinuousClock.now - since >= exitWait { break reading }
                }
            case .endOfFile:
                break reading
            }
        }
        pipe.close()
        if !pending.isEmpty { line(String(decoding: pending, as: UTF8.self)) }
        // ssh exits by itself once the session is over; a hung one is ended after exitWait.
        let output = process.collectOutput(deadline: .now + exitWait, grace: terminationGrace)
        let code: Int
        switch output.exit {
        case .terminated(let value): code = Int(value)
        case .signalled(let signal): code = -Int(signal)
        }
        return .ended(RemoteFailure(returncode: code, stderrTail: StderrTail.of(output.stderr)))
    }
}
