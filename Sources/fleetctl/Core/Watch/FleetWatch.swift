import FleetCore
import Monitoring
import SSHTransport

/// The watch loop as fleetctl runs it (`watch` and `demo`): each host judged by its inventory
/// policy, notifications routed to the inventory's hooks through the silences, state and
/// the fleet event log in the state directory, the inventory's fleet-wide auto-stop cap.
public enum FleetWatch {
    /// Months of `fleet-events-YYYY-MM.jsonl` kept, the current one included (docs/runbook.md).
    public static let eventLogMonths = MonthlyLogRetention.defaultMonths

    public static func loop(
        hosts: [MonitoredHost], inventory: Inventory, stateDir: String, eventLog: EventLogWriter, hooks: HookDispatcher,
        remote: any RemoteExecutor, effects: Effects, options: WatchLoop.Options,
        report: @escaping @Sendable (WatchReport) -> Void
    ) -> WatchLoop {
        var options = options
        options.autoStopLimit = inventory.fleet.autoStopMaxPer10Minutes
        let router = FleetAlertRouter(
            hooks: hooks, routes: HookRoute.routes(for: inventory), silenceStore: SilenceStore(directory: stateDir),
            clock: effects.clock, warn: { report(.warning($0)) })
        let outputs = WatchLoop.Outputs(
            eventLog: eventLog,
            stateStore: WatchStateStore(path: StateDirectory.file("watch-state.json", in: stateDir)),
            router: router, eventLogMonths: MonthlyLogRetention(keepMonths: FleetWatch.eventLogMonths),
            knownHosts: Set(inventory.hosts.map(\.name)))
        return WatchLoop(
            hosts: hosts, remote: remote, effects: effects, outputs: outputs, options: options, report: report)
    }
}
