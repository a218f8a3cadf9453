/// A silence that muted a notification: which one and why, for the event log and the screen.
public struct AlertSilence: Sendable, Equatable {
    public var id: String
    public var reason: String

    public init(id: String, reason: String) {
        self.id = id
        self.reason = reason
    }
}

/// Where the watch loop sends alert notifications besides its event log.
///
/// fleetctl routes them to its hooks (commands, Alertmanager) and honours `fleetctl silence`;
/// `agent-runner monitor --host` has no router and only prints them. Keeping this a protocol is
/// what lets both programs run the same loop without agent-runner linking fleetctl's hooks.
public protocol AlertRouter: Sendable {
    /// The silence muting `notification` now, if any. Called on the loop thread for each
    /// notification, before it is logged.
    func silence(for notification: AlertNotification) -> AlertSilence?
    /// Queues what `notification` triggers (hook runs), to start on ``start()``.
    func route(_ notification: AlertNotification)
    /// Starts the queued deliveries. The loop calls this only after the state that records the
    /// notifications is on disk, so a killed watcher never notifies twice after its restart.
    func start()
    /// Waits for deliveries in flight (each bounded by its own deadline).
    func finish()
}
