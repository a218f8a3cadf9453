import FleetCore
import Synchronization
import XCTest

/// A process runner that answers from a script instead of the machine: each request is
/// recorded and passed to `handler`, which returns the output to report or throws. `spawn`
/// starts a real, tiny stand-in process (`/bin/sh -c 'exit N'` by default) so the caller gets
/// a genuine ``RunningProcess`` to wait on and signal.
public final class ScriptedProcessRunner: ProcessRunner, Sendable {
    public typealias RunHandler = @Sendable (ProcessRequest) throws -> ProcessOutput
    public typealias SpawnHandler = @Sendable (ProcessRequest) throws -> ProcessRequest

    private let runHandler: RunHandler?
    private let spawnHandler: SpawnHandler?
    private let recorded = Mutex<[ProcessRequest]>([])

    /// - Parameters:
    ///   - run: answers `run` requests; nil fails the test on any `run`.
    ///   - spawn: maps a `spawn` request to the real command to start in its place; nil fails
    ///     the test on any `spawn`.
    public init(run: RunHandler? = nil, spawn: SpawnHandler? = nil) {
        runHandler = run
        spawnHandler = spawn
    }

    /// Every request so far, in order.
    public var requests: [ProcessRequest] {
        recorded.withLock { $0 }
    }

    public func run(_ request: ProcessRequest) throws -> ProcessOutput {
        recorded.withLock { $0.append(request) }
        guard let runHandler else {
            XCTFail("this test ran \(request.executable) \(request.arguments) without scripting the process runner")
            throw ProcessError(.spawnFailed, "unscripted run of \(request.executable)")
        }
        return try runHandler(request)
    }

    public func spawn(_ request: ProcessRequest) throws -> RunningProcess {
        recorded.withLock { $0.append(request) }
        guard let spawnHandler else {
            XCTFail("this test spawned \(request.executable) \(request.arguments) without scripting the process runner")
            throw ProcessError(.spawnFailed, "unscripted spawn of \(request.executable)")
        }
        return try PosixProcessRunner().spawn(try spawnHandler(request))
    }

    /// A stand-in that exits with `code`, keeping the request's stdio, directory and grouping.
    public static func exiting(_ code: Int32, printing text: String = "", for request: ProcessRequest) -> ProcessRequest
    {
        var standIn = request
        standIn.executable = "/bin/sh"
        standIn.arguments = ["-c", "printf '%s' \"$0\"; exit \(code)", text]
        return standIn
    }
}

extension ProcessOutput {
    /// An output as a finished process would report it.
    public static func finished(_ code: Int32, stdout: String = "", stderr: String = "") -> ProcessOutput {
        ProcessOutput(
            exit: .terminated(code), stdout: Array(stdout.utf8), stderr: Array(stderr.utf8),
            stdoutTruncated: false, stderrTruncated: false, timedOut: false, duration: .milliseconds(1))
    }
}
