import FleetCore
import Foundation
import SSHTransport
import TestSupport
import XCTest

/// A `ProcessRunner` that spawns nothing: it records each request and answers with a
/// canned output (or fails the test if none was set up).
final class RecordingRunner: ProcessRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [ProcessRequest] = []
    private let reply: ProcessOutput?

    init(reply: ProcessOutput? = nil) {
        self.reply = reply
    }

    var requests: [ProcessRequest] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func run(_ request: ProcessRequest) throws -> ProcessOutput {
        lock.lock()
        recorded.append(request)
        lock.unlock()
        guard let reply else {
            XCTFail("this test started \(request.executable) \(request.arguments) without setting up a reply")
            throw ProcessError(.spawnFailed, "no canned reply")
        }
        return reply
    }

    func spawn(_ request: ProcessRequest) throws -> RunningProcess {
        XCTFail("this test spawned \(request.executable) without setting it up")
        throw ProcessError(.spawnFailed, "spawn is not supported by RecordingRunner")
    }
}

/// A `RemoteExecutor` answering every call with the same result.
struct CannedExecutor: RemoteExecutor {
    var result: RemoteResult

    func run(
        host: RemoteHost, argv: [String], stdin: [UInt8]?, deadline: ContinuousClock.Instant, outputLimit: Int
    ) -> RemoteResult {
        result
    }
}

extension LoopbackSSHD {
    /// A `RemoteHost` for one of the fixture's aliases.
    func remoteHost(_ alias: String? = nil, reuse: Bool = false, connectTimeoutS: Int = 2) throws -> RemoteHost {
        let name = alias ?? aliases[0]
        return RemoteHost(
            name: name, target: try SSHTarget(name),
            options: SSHOptions(
                configFile: clientConfig, connectTimeoutS: connectTimeoutS,
                connectionReuse: reuse ? .on(controlDirectory: controlDirectory) : .off))
    }

    /// ssh processes (clients or masters) started against this fixture and still alive.
    func liveSSHProcesses() -> [ProcessTree.Entry] {
        leftoverProcesses().filter { $0.command == "ssh" }
    }
}

extension XCTestCase {
    /// A running loopback sshd, shut down (with every leftover process) when the test ends.
    func startSSHD(aliases: [String] = ["fleettest1"]) throws -> LoopbackSSHD {
        let sshd = try LoopbackSSHD(aliases: aliases)
        addTeardownBlock { sshd.shutdown() }
        return sshd
    }
}

/// The failure kind of an `.sshFailure`, or nil.
func sshFailureKind(_ outcome: RemoteOutcome) -> SSHFailureKind? {
    if case .sshFailure(let kind, _) = outcome { return kind }
    return nil
}
