import Glibc

/// Everything needed to start one child: what to run, where, with which environment and
/// standard streams, and how long it may take.
public struct ProcessRequest: Sendable, Equatable {
    /// Where the child's standard input comes from.
    public enum Input: Sendable, Equatable {
        /// `/dev/null`: a CLI that prompts gets EOF instead of hanging a supervisor round.
        case null
        /// These bytes, then EOF. Written by a dedicated thread so a child that never reads
        /// them cannot block the caller; a child that exits early ends the write with EPIPE.
        case bytes([UInt8])
        /// The contents of this file.
        case file(String)
        /// The supervisor's own standard input.
        case inherit
    }

    /// Where the child's standard output or standard error goes.
    public enum Output: Sendable, Equatable {
        /// Collected into `ProcessOutput`, at most `limit` bytes. Beyond the limit the pipe
        /// keeps being drained but the bytes are dropped and the output is marked
        /// truncated, so a chatty child can neither block on a full pipe nor exhaust memory.
        case capture(limit: Int = ProcessRequest.defaultCaptureLimit)
        /// Appended to this file (created 0600 if missing), e.g. an agent's round log.
        /// Opened in the supervisor, so a bad path is reported before the child starts; a
        /// symbolic link there is refused, never followed (the files live in log_dir).
        case appendToFile(String)
        /// `/dev/null`.
        case discard
        /// A descriptor the caller opened and keeps owning (e.g. a pipe's write end, whose reader
        /// the caller controls); the child gets a copy. Where a path would do, `appendToFile`
        /// refuses links such as `/proc/self/fd/N`: this is the way to hand over a descriptor.
        case descriptor(Int32)
        /// The supervisor's own descriptor.
        case inherit
        /// Standard error only: the same destination as standard output, interleaved in
        /// the order the child writes.
        case mergeIntoStandardOutput
        /// Standard output only: a pipe the caller reads while the child runs
        /// (``RunningProcess/standardOutputPipe``), for output that never ends by itself
        /// (`ssh host -- agent-runner events --tail`). Use `spawn`, not `run`, and keep reading:
        /// a child whose pipe is full blocks.
        case pipe
    }

    /// How the child is detached from the supervisor's job control.
    public enum Grouping: Sendable, Equatable {
        /// Its own process group (pgid == pid), so the whole tree it starts can be
        /// signalled at once, and a Ctrl-C meant for the supervisor's terminal does not
        /// hit it directly.
        case newProcessGroup
        /// A new session (`setsid`, which also makes a new group): no controlling
        /// terminal, for children meant to outlive the supervisor's terminal (daemonizing).
        case newSession
    }

    /// 8 MiB: more than any status poll prints, small enough for a 512 MiB host.
    public static let defaultCaptureLimit = 8 << 20

    /// A program name (searched on the PATH in `environment`) or a path.
    public var executable: String
    /// Arguments after argv[0] (argv[0] is `executable` as given).
    public var arguments: [String]
    /// The child's complete environment. Nothing is inherited implicitly.
    public var environment: [String: String]
    /// The child's working directory; nil keeps the supervisor's.
    public var workingDirectory: String?
    public var standardInput: Input
    public var standardOutput: Output
    public var standardError: Output
    public var grouping: Grouping
    /// For `run`: when this passes, the group gets SIGTERM, then SIGKILL after
    /// `terminationGrace`, and the output reports `timedOut`. Monotonic, so wall-clock
    /// jumps (NTP on a freshly booted host) neither fire nor postpone it.
    public var deadline: ContinuousClock.Instant?
    /// Time between SIGTERM and SIGKILL when a deadline passes.
    public var terminationGrace: Duration
    /// How long captured pipes are still read after the child has exited. Bounded because
    /// a grandchild can hold the pipe open indefinitely (`cmd &` in a script, an
    /// `ssh` ControlMaster); waiting for EOF would hang the caller.
    public var drainAfterExit: Duration

    public init(
        _ executable: String,
        arguments: [String] = [],
        environment: [String: String] = ProcessRequest.currentEnvironment(),
        workingDirectory: String? = nil,
        standardInput: Input = .null,
        standardOutput: Output = .capture(),
        standardError: Output = .capture(),
        grouping: Grouping = .newProcessGroup,
        deadline: ContinuousClock.Instant? = nil,
        terminationGrace: Duration = .seconds(2),
        drainAfterExit: Duration = .milliseconds(200)
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.grouping = grouping
        self.deadline = deadline
        self.terminationGrace = terminationGrace
        self.drainAfterExit = drainAfterExit
    }

    /// A snapshot of the supervisor's environment, for requests that should pass it on.
    /// When a name appears twice, the first wins, as with `getenv`.
    public static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        // Read the `environ` variable through its symbol: the Glibc overlay exposes it as
        // a non-optional pointer, which would trap once `clearenv()` has set it to NULL.
        guard let variable = dlsym(nil, "environ"),
            var entry = variable.load(as: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?.self)
        else { return result }
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                let name = String(text[..<equals])
                if result[name] == nil {
                    result[name] = String(text[text.index(after: equals)...])
                }
            }
            entry += 1
        }
        return result
    }
}
