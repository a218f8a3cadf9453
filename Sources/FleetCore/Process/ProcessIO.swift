import Glibc
import Synchronization

/// The supervisor's side of one child's pipes: capture readers, the stdin writer, and the
/// wake-up pipe that tells them to stop.
///
/// Stopping works by closing the write end of the wake pipe: every thread polls its read
/// end and sees the hang-up at once. That is what lets capture finish after the direct
/// child exits even while a grandchild still holds the capture pipe open.
final class ProcessIO: Sendable {
    struct Captured: Sendable {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var stdoutTruncated = false
        var stderrTruncated = false
    }

    private let stdoutReader: CaptureReader?
    private let stderrReader: CaptureReader?
    private let wake: (read: Int32, write: Int32)?
    private let threads: [pthread_t]
    private let result = Mutex<Captured?>(nil)

    private init(
        stdoutReader: CaptureReader?, stderrReader: CaptureReader?, wake: (read: Int32, write: Int32)?,
        threads: [pthread_t]
    ) {
        self.stdoutReader = stdoutReader
        self.stderrReader = stderrReader
        self.wake = wake
        self.threads = threads
    }

    /// Starts one thread per captured stream and one for stdin bytes. Takes ownership of
    /// the given parent-side descriptors, also when it throws (they are closed then).
    static func start(
        stdout: (fd: Int32, limit: Int)?,
        stderr: (fd: Int32, limit: Int)?,
        stdin: (fd: Int32, bytes: [UInt8])?
    ) throws(Errno) -> ProcessIO {
        let stdoutReader = stdout.map { CaptureReader(fd: $0.fd, limit: $0.limit) }
        let stderrReader = stderr.map { CaptureReader(fd: $0.fd, limit: $0.limit) }
        let writer = stdin.map { StdinWriter(fd: $0.fd, bytes: $0.bytes) }
        let owned = [stdout?.fd, stderr?.fd, stdin?.fd].compactMap { $0 }
        guard !owned.isEmpty else {
            return ProcessIO(stdoutReader: nil, stderrReader: nil, wake: nil, threads: [])
        }

        let wake: (read: Int32, write: Int32)
        do {
            wake = try Descriptor.makePipe()
        } catch {
            owned.forEach(Descriptor.close)
            throw error
        }
        let wakeFD = wake.read
        var bodies: [@Sendable () -> Void] = []
        if let stdoutReader { bodies.append { stdoutReader.run(wakeFD: wakeFD) } }
        if let stderrReader { bodies.append { stderrReader.run(wakeFD: wakeFD) } }
        if let writer { bodies.append { writer.run(wakeFD: wakeFD) } }

        var threads: [pthread_t] = []
        for body in bodies {
            do {
                threads.append(try IOThread.start(body))
            } catch {
                // Stop the threads already running (each closes its own descriptor), then
                // close the descriptors whose threads never started.
                Descriptor.close(wake.write)
                threads.forEach(IOThread.join)
                Descriptor.close(wake.read)
                owned[threads.count...].forEach(Descriptor.close)
                throw error
            }
        }
        return ProcessIO(stdoutReader: stdoutReader, stderrReader: stderrReader, wake: wake, threads: threads)
    }

    /// Call once the child has exited. Gives the readers up to `drain` to reach EOF, then
    /// stops every thread (a grandchild may hold the pipes forever), joins them and returns
    /// what was captured. Idempotent: later calls return the same result at once.
    func finish(drain: Duration) -> Captured {
        result.withLock { result in
            if let result { return result }
            let deadline = ContinuousClock.now + drain
            _ = stdoutReader?.waitUntilDone(deadline: deadline)
            _ = stderrReader?.waitUntilDone(deadline: deadline)
            if let wake { Descriptor.close(wake.write) }
            threads.forEach(IOThread.join)
            if let wake { Descriptor.close(wake.read) }

            var captured = Captured()
            if let stdout = stdoutReader?.captured {
                (captured.stdout, captured.stdoutTruncated) = stdout
            }
            if let stderr = stderrReader?.captured {
                (captured.stderr, captured.stderrTruncated) = stderr
            }
            result = captured
            return captured
        }
    }

    var isFinished: Bool { result.withLock { $0 != nil } }
}
