import FleetCore
import Monitoring
import Synchronization

/// The dashboard model shared between the watch loop (which applies reports) and the HTTP
/// server's threads (which read it). The loop holds the lock only to apply one report
/// (microseconds); a reader copies the model out (copy-on-write: no host is copied) and
/// encodes outside the lock, so a page being served never delays a poll.
public final class DashboardState: Sendable {
    private let model: Mutex<DashboardModel>
    /// The newest encoded `/api/state` and its generation: concurrent viewers of an unchanged
    /// fleet share one encoding.
    private let encoded = Mutex<(generation: Int, bytes: [UInt8])?>(nil)

    public init(_ model: DashboardModel) {
        self.model = Mutex(model)
    }

    /// Applies a watch report (the loop's thread).
    public func record(_ report: WatchReport) {
        if case .warning = report { return }
        model.withLock { $0.apply(report) }
    }

    /// Sets the rollout shown (from the server's thread, which reads the journals).
    public func setRollout(_ rollout: DashboardRollout?) {
        model.withLock { $0.setRollout(rollout) }
    }

    /// A copy of the model as it is now.
    public func snapshot() -> DashboardModel {
        model.withLock { $0 }
    }

    /// `/api/state` for the model as it is now, encoded at most once per generation.
    public func stateDocument(_ encode: (DashboardModel) -> [UInt8]) -> [UInt8] {
        let current = snapshot()
        if let cached = encoded.withLock({ $0 }), cached.generation == current.generation { return cached.bytes }
        let bytes = encode(current)
        encoded.withLock { value in
            if value == nil || value!.generation < current.generation { value = (current.generation, bytes) }
        }
        return bytes
    }
}
