import FleetCore
import Monitoring
import Synchronization

/// The dashboard model shared between the watch loop (which applies reports) and the HTTP
/// server's threads (which read it). The loop holds the lock only to apply one report
/// (microseconds: a row and a few references; pages are built from them on request); a reader
/// copies the model out (copy-on-write: no host is copied) and encodes outside the lock, so a
/// page being served never delays a poll.
public final class DashboardState: Sendable {
    private let model: Mutex<DashboardModel>
    /// The newest encoded `/api/state`: its generation, when it was encoded, and whether a
    /// request is encoding a newer one right now.
    private let encoded = Mutex<(generation: Int, at: Double, bytes: [UInt8])?>(nil)
    private let encoding = Mutex(false)

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

    /// Keeps a host's rounds and events from its next polls until `until` (its page is open).
    public func keepDetails(of name: String, until: Double) {
        model.withLock { $0.keepDetails(of: name, until: until) }
    }

    /// A copy of the model as it is now.
    public func snapshot() -> DashboardModel {
        model.withLock { $0 }
    }

    /// `/api/state` for the model as it is now, or as it was at most `maxAgeS` ago.
    ///
    /// Encoding 1,000 hosts takes ~15 ms of CPU, on the same cores as the polls; with every
    /// viewer (and every refresh) encoding anew, ten open pages would slow the loop that feeds
    /// them. So the document is re-encoded at most once per `maxAgeS` (pages refresh every
    /// second at the fastest) and once per generation at most; while one request encodes, the
    /// others get the previous document at once instead of waiting or encoding too.
    public func stateDocument(now: Double, maxAgeS: Double, _ encode: (DashboardModel) -> [UInt8]) -> [UInt8] {
        let generation = model.withLock { $0.generation }
        let cached = encoded.withLock { $0 }
        if let cached, cached.generation == generation || now - cached.at < maxAgeS { return cached.bytes }
        let mine = encoding.withLock { busy in
            defer { busy = true }
            return !busy
        }
        if !mine, let cached { return cached.bytes }
        defer { if mine { encoding.withLock { $0 = false } } }
        let current = snapshot()
        let bytes = encode(current)
        encoded.withLock { value in
            if value == nil || value!.generation <= current.generation { value = (current.generation, now, bytes) }
        }
        return bytes
    }
}
