import Glibc
import Synchronization

/// Set by SIGINT/SIGTERM; a global because a signal handler may touch nothing else.
private let interruptSignal = Atomic<Int32>(0)

/// "Finish what is running and exit": how `watch` and `monitor --host` treat Ctrl-C and
/// systemd's stop. The loop checks ``isSet`` between batches; running polls end at their deadline.
public enum InterruptFlag {
    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in interruptSignal.store(signal, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        Glibc.signal(SIGPIPE, SIG_IGN)
    }

    public static var isSet: Bool { interruptSignal.load(ordering: .relaxed) != 0 }
}
