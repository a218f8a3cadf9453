import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The signal number that asked serve to stop, or 0. A global because a signal handler can
/// touch nothing else safely.
private let stopSignalNumber = Atomic<Int32>(0)

/// "Finish what is running, then exit 0": what SIGTERM (systemd stop, `agent-runner stop`) and
/// SIGINT (Ctrl-C) mean to serve (the round in flight is never interrupted, so an agent is not
/// killed mid-commit because the service restarts), to `fleetctl watch` and to `monitor --host`
/// (running polls end at their deadline). The loops check ``isRequested`` between steps.
public struct StopRequest: Sendable {
    /// A flag of its own (``isolated()``), or nil for the process's signal flag.
    private let own: OwnFlag?

    /// The process's stop request, which SIGTERM and SIGINT set once the handlers are installed.
    public init() {
        own = nil
    }

    private init(own: OwnFlag) {
        self.own = own
    }

    /// A stop request no signal sets, only ``request(_:)`` on it or a copy: tests share one
    /// process, and one test asking its loop to stop must not stop every other test's loop.
    public static func isolated() -> StopRequest {
        StopRequest(own: OwnFlag())
    }

    private final class OwnFlag: Sendable {
        let signal = Atomic<Int32>(0)
    }

    /// Installs handlers for SIGTERM and SIGINT that only record the request. SIGPIPE is
    /// ignored so a closed stdout (a journal restart) cannot kill the supervisor; children get
    /// default dispositions back from the spawner. With `hangUp`, SIGHUP is recorded too (as a
    /// stop whose ``signalNumber`` is SIGHUP) instead of killing the process: a streaming verb
    /// then ends its children before it exits (``StreamWatch``).
    public static func installSignalHandlers(hangUp: Bool = false) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in stopSignalNumber.store(signal, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        if hangUp { sigaction(SIGHUP, &action, nil) }
        Glibc.signal(SIGPIPE, SIG_IGN)
    }

    private var stored: Int32 {
        own?.signal.load(ordering: .relaxed) ?? stopSignalNumber.load(ordering: .relaxed)
    }

    /// Whether a stop was requested.
    public var isRequested: Bool { stored != 0 }

    /// The signal that requested it (for logs), or nil.
    public var signalNumber: Int32? {
        let value = stored
        return value == 0 ? nil : value
    }

    /// Records a stop as if a signal had arrived (tests, and verbs that stop in-process).
    public func request(_ signal: Int32 = SIGTERM) {
        if let own {
            own.signal.store(signal, ordering: .relaxed)
        } else {
            stopSignalNumber.store(signal, ordering: .relaxed)
        }
    }
}
