import Glibc

/// The descriptors one spawn needs: what the child receives as 0, 1 and 2, and the
/// supervisor's ends of the capture and stdin pipes. Everything is opened in the parent
/// with `O_CLOEXEC`, so a bad path fails with a clear error before the child exists, and
/// none of it leaks into children other threads spawn at the same moment.
final class ChildStdio {
    /// `dup2(source, target)` actions for the child, in order: 0, 1, then 2 (so "2>&1"
    /// duplicates the final stdout).
    private(set) var redirections: [(source: Int32, target: Int32)] = []
    private(set) var captureStdout: (fd: Int32, limit: Int)?
    private(set) var captureStderr: (fd: Int32, limit: Int)?
    private(set) var stdinFeed: (fd: Int32, bytes: [UInt8])?
    /// The read end of a `.pipe` stdout, handed to the caller.
    private(set) var stdoutPipe: Int32?
    /// The parent's copies of what the child receives; closed right after the spawn.
    private var childSide: [Int32] = []
    private let command: String

    init(_ request: ProcessRequest) throws(ProcessError) {
        command = request.executable
        do {
            try prepareInput(request.standardInput)
            if let fd = try prepareOutput(request.standardOutput, stream: "stdout", capture: &captureStdout) {
                redirections.append((fd, 1))
            }
            if request.standardError == .mergeIntoStandardOutput {
                redirections.append((1, 2))
            } else if let fd = try prepareOutput(request.standardError, stream: "stderr", capture: &captureStderr) {
                redirections.append((fd, 2))
            }
        } catch {
            closeChildSide()
            let parentSide = [captureStdout?.fd, captureStderr?.fd, stdinFeed?.fd, stdoutPipe]
            parentSide.compactMap { $0 }.forEach(Descriptor.close)
            throw error
        }
    }

    /// Closes the parent's copies of the child's descriptors. Must happen after the spawn
    /// (or on failure): a write end left open in the parent would keep our own reader from
    /// ever seeing EOF.
    func closeChildSide() {
        childSide.forEach(Descriptor.close)
        childSide = []
    }

    private func prepareInput(_ input: ProcessRequest.Input) throws(ProcessError) {
        switch input {
        case .inherit:
            return
        case .null, .bytes([]):
            redirections.append((try open("/dev/null", O_RDONLY, purpose: "/dev/null"), 0))
        case .file(let path):
            redirections.append((try open(path, O_RDONLY, purpose: "stdin file \"\(path)\""), 0))
        case .bytes(let bytes):
            let ends = try pipe()
            childSide.append(ends.read)
            stdinFeed = (ends.write, bytes)
            redirections.append((ends.read, 0))
        }
    }

    /// Returns the descriptor the child should get for this stream, nil to inherit.
    private func prepareOutput(
        _ output: ProcessRequest.Output, stream: String, capture: inout (fd: Int32, limit: Int)?
    ) throws(ProcessError) -> Int32? {
        switch output {
        case .inherit, .mergeIntoStandardOutput:
            return nil
        case .discard:
            return try open("/dev/null", O_WRONLY, purpose: "/dev/null")
        case .descriptor(let fd):
            return fd
        case .appendToFile(let path):
            return try open(
                path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, purpose: "\"\(path)\" to append \(stream)")
        case .capture(let limit):
            let ends = try pipe()
            childSide.append(ends.write)
            capture = (ends.read, limit)
            return ends.write
        case .pipe:
            guard stream == "stdout" else {
                throw ProcessError(
                    .invalidRequest,
                    "cannot start \"\(command)\": only standard output can be a pipe to read while it runs; "
                        + "capture standard error or merge it into standard output")
            }
            let ends = try pipe()
            childSide.append(ends.write)
            stdoutPipe = ends.read
            return ends.write
        }
    }

    private func open(_ path: String, _ flags: Int32, purpose: String) throws(ProcessError) -> Int32 {
        do {
            // Output files are logs (an agent's transcript, serve.log): readable by their owner only.
            let fd = try Descriptor.open(path, flags, mode: 0o600)
            childSide.append(fd)
            return fd
        } catch {
            if error.code == EMFILE || error.code == ENFILE { throw outOfDescriptors(error) }
            throw ProcessError(
                .redirection,
                "cannot start \"\(command)\": cannot open \(purpose): \(error.text); check that the path exists and is accessible"
            )
        }
    }

    private func pipe() throws(ProcessError) -> (read: Int32, write: Int32) {
        do {
            return try Descriptor.makePipe()
        } catch {
            if error.code == EMFILE || error.code == ENFILE { throw outOfDescriptors(error) }
            throw ProcessError(.resources, "cannot start \"\(command)\": cannot create a pipe: \(error.text)")
        }
    }

    private func outOfDescriptors(_ error: Errno) -> ProcessError {
        ProcessError(
            .resources,
            "cannot start \"\(command)\": out of file descriptors (\(error.text)); raise `ulimit -n` or look for a descriptor leak"
        )
    }
}
