import FleetCore
import SSHTransport
import Synchronization
import XCTest

/// A remote executor that answers from a script instead of ssh: every call is recorded with
/// the time it was made on the test's clock, and passed to the script, which returns the
/// reply. A call the script does not answer (it returns nil) fails the test ("this test ran
/// ... without scripting it") and gets an ssh failure, so the code under test carries on and
/// the test reports every unscripted call, not only the first.
///
/// ```swift
/// let remote = ScriptedRemoteExecutor(clock: clock) { call in
///     call.isPeek ? .json(Peek.document(at: call.seconds)) : nil
/// }
/// ```
public final class ScriptedRemoteExecutor: RemoteExecutor, Sendable {
    /// One call as the code under test made it.
    public struct Call: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var argv: [String]
        public var stdin: [UInt8]?
        /// When it was made: time on the clock since the executor was created.
        public var at: Duration

        /// ``at`` in seconds (`30.5`).
        public var seconds: Double { at.seconds }
        /// `agent-runner peek ...`.
        public var isPeek: Bool { argv.count > 1 && argv[1] == "peek" }
        /// The agent-runner verb (`peek`, `stop`, `upgrade`), or the command for anything else.
        public var verb: String { argv.count > 1 ? argv[1] : argv.first ?? "" }

        /// `30.5s pi peek`: for schedules in assertion messages.
        public var description: String { "\(Self.format(at)) \(host) \(verb)" }

        /// `30s`, `30.5s`, `0.25s`: a duration as schedules print it (milliseconds kept).
        public static func format(_ duration: Duration) -> String {
            let milliseconds = duration.milliseconds
            return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(Double(milliseconds) / 1000)s"
        }
    }

    /// What a scripted call returns.
    public enum Reply: Sendable {
        /// Exit 0 with this JSON document on stdout.
        case json(JSONValue)
        /// Exit 0 with this text on stdout.
        case stdout(String)
        /// ssh could not connect (`Connection refused`, exit 255): the command never ran.
        case refused
        /// The command ran and exited `code` with `stderr`.
        case failed(code: Int32, stderr: String)
        /// No answer before the deadline.
        case timeout
        /// Any other result, as is.
        case result(RemoteResult)
    }

    public typealias Script = @Sendable (Call) -> Reply?

    private let clock: any MonotonicClock
    private let origin: ContinuousClock.Instant
    private let script: Script
    private let recorded = Mutex<[Call]>([])

    /// - Parameters:
    ///   - clock: the clock calls are timed on (the fake clock the code under test uses).
    ///   - script: answers each call; nil fails the test.
    public init(clock: any MonotonicClock, script: @escaping Script) {
        self.clock = clock
        origin = clock.now
        self.script = script
    }

    /// Every call so far, in order.
    public var calls: [Call] {
        recorded.withLock { $0 }
    }

    /// The calls of `verb` (`peek`, `stop`) as `30s pi` strings, in order.
    public func schedule(_ verb: String) -> [String] {
        calls.filter { $0.verb == verb }.map { "\(Call.format($0.at)) \($0.host)" }
    }

    public func run(
        host: RemoteHost, argv: [String], stdin: [UInt8]?, deadline: ContinuousClock.Instant,
        outputLimit: Int
    ) -> RemoteResult {
        let call = Call(host: host.name, argv: argv, stdin: stdin, at: clock.now - origin)
        recorded.withLock { $0.append(call) }
        guard let reply = script(call) else {
            let command = argv.joined(separator: " ")
            XCTFail("this test ran \(command) on \(host.name) at \(Call.format(call.at)) without scripting it")
            return RemoteResult(
                host: host.name, outcome: .sshFailure(.configuration, "unscripted call"),
                errorMessage: "\(host.name): unscripted call in a test")
        }
        switch reply {
        case .json(let document):
            let stdout = JSONWriter(style: .compact).encode(document)
            return RemoteResult(host: host.name, outcome: .ok(stdout), errorMessage: nil)
        case .stdout(let text):
            return RemoteResult(host: host.name, outcome: .ok(Array(text.utf8)), errorMessage: nil)
        case .refused:
            let stderr = "ssh: connect to host \(host.name) port 22: Connection refused"
            return RemoteResult(
                host: host.name, outcome: .sshFailure(.connectionRefused, "connection refused"),
                errorMessage: "\(host.name): ssh: connection refused", stderrTail: stderr,
                exit: .terminated(255))
        case .failed(let code, let stderr):
            return RemoteResult(
                host: host.name, outcome: .remoteFailure(exitCode: code, stderrTail: stderr),
                errorMessage: "\(host.name): exited \(code): \(stderr)", stderrTail: stderr,
                exit: .terminated(code))
        case .timeout:
            return RemoteResult(
                host: host.name, outcome: .timeout(after: max(.zero, deadline - clock.now)),
                errorMessage: nil)
        case .result(let result):
            return result
        }
    }
}
