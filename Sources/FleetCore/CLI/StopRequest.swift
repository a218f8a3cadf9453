#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// The signal number that asked serve to stop, or 0. A global because a signal handler can
/// touch nothing else safely.
private let stopSignalNumber = Atomic<Int32>(0)

/// "Finish what is running, then exit 0": what SIGTERM (systemd stop, `agent-runner stop`) and
/// SIGINT (Ctrl-C) mean to serve (the round in flight is never interrupted, so an agent is not
/// killed mid-commit because the service restarts), to `fleetctl watch` and to `monitor --host`
/// (running polls end at their deadline). The loops check ``isRequested`` between steps.
public struct StopRequest: Sendable {
    public init() {}

    /// Installs handlers for SIGTERM and SIGINT that only record the request. SIGPIPE is
    /// ignored so a closed stdout (a journal restart) cannot kill the supervisor; children get
    /// default dispositions back from the spawner.
    public static func installSignalHandlers() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in stopSignalNumber.store(signal, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        Glibc.signal(SIGPIPE, SIG_IGN)
    }

    /// Whether a stop was requested.
    public var isRequested: Bool { stopSignalNumber.load(ordering: .relaxed) != 0 }

    /// The signal that requested it (for logs), or nil.
    public var signalNumber: Int32? {
        let value = stopSignalNumber.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// Records a stop as if a signal had arrived (tests, and verbs that stop in-process).
    public func request(_ signal: Int32 = SIGTERM) {
        stopSignalNumber.store(signal, ordering: .relaxed)
    }
}
