import Detectors
import FleetCore
import Monitoring
import Synchronization

/// What the demo has shown so far, for `fleetctl demo --until-shown`: the throttled host's
/// rate_limit_active fired and resolved (serve waited for the reset), the authfail host's
/// oauth_fail auto-stop confirmed, and the crashloop host's serve stopped by its breaker.
public final class DemoProgress: Sendable {
    private struct Seen {
        var throttleFired = false
        var throttleResolved = false
        var authStopped = false
        var crashLoopExited = false
    }

    private let seen = Mutex(Seen())

    public init() {}

    /// Notes a report of the watch loop.
    public func note(_ report: WatchReport) {
        seen.withLock { seen in
            switch report {
            case .notification(let notification, _) where notification.host == "throttled":
                guard notification.alert.detector == "rate_limit_active" else { return }
                if notification.state == .firing { seen.throttleFired = true }
                if notification.state == .resolved { seen.throttleResolved = true }
            case .autoStop(let host, let alert, .confirmed) where host == "authfail" && alert.detector == "oauth_fail":
                seen.authStopped = true
            default:
                break
            }
        }
    }

    /// Notes a demo service that ended by itself.
    public func note(_ exit: DemoServices.Exit) {
        guard exit.host == "crashloop", exit.status == .terminated(ExitCode.crashLoop) else { return }
        seen.withLock { $0.crashLoopExited = true }
    }

    /// Every behaviour of the demo has been shown.
    public var isComplete: Bool {
        seen.withLock { $0.throttleFired && $0.throttleResolved && $0.authStopped && $0.crashLoopExited }
    }
}
