import FleetCore
import Monitoring
import Synchronization

/// fleetctl's ``AlertRouter``: honours `fleetctl silence` (silences.json, re-read at most twice
/// a second while notifications arrive, so a silence added during an incident takes effect at
/// once) and runs the inventory's alert hooks whose routes match, on the ``HookDispatcher``.
public final class FleetAlertRouter: AlertRouter {
    private struct State {
        var silences = SilenceList()
        var silencesReadAt: ContinuousClock.Instant?
        var queued: [(HookInvocation, AlertNotification)] = []
    }

    private let hooks: HookDispatcher
    private let routes: [HookRoute]
    private let silenceStore: SilenceStore?
    private let clock: any MonotonicClock
    private let warn: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// - Parameter warn: told when silences.json cannot be read (the silences last read stay).
    public init(
        hooks: HookDispatcher, routes: [HookRoute], silenceStore: SilenceStore?, clock: any MonotonicClock,
        warn: @escaping @Sendable (String) -> Void
    ) {
        self.hooks = hooks
        self.routes = routes
        self.silenceStore = silenceStore
        self.clock = clock
        self.warn = warn
    }

    public func silence(for notification: AlertNotification) -> AlertSilence? {
        refreshSilences()
        let silence = state.withLock {
            $0.silences.muting(host: notification.host, detector: notification.alert.detector, at: notification.at)
        }
        return silence.map { AlertSilence(id: $0.id, reason: $0.reason) }
    }

    public func route(_ notification: AlertNotification) {
        let matching = routes.filter { $0.matches(notification) }
            .map { (HookInvocation(hook: $0.hook, notification: notification), notification) }
        state.withLock { $0.queued += matching }
    }

    public func start() {
        let queued = state.withLock { state in
            defer { state.queued.removeAll() }
            return state.queued
        }
        for (invocation, notification) in queued { hooks.dispatch(invocation, for: notification) }
    }

    public func finish() {
        hooks.finish()
    }

    private func refreshSilences() {
        guard let silenceStore else { return }
        let now = clock.now
        let due = state.withLock { state in
            if let read = state.silencesReadAt, now - read < .milliseconds(500) { return false }
            state.silencesReadAt = now
            return true
        }
        guard due else { return }
        do {
            let list = try silenceStore.load()
            state.withLock { $0.silences = list }
        } catch {
            warn("\(error); the silences last read stay in force")
        }
    }
}
