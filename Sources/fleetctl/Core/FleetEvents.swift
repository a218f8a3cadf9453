import FleetCore

/// The events fleetctl itself writes to `fleet-events-YYYY-MM.jsonl` (its watch loop also writes
/// the monitor events, ``MonitorEvents``), for docs/events.md and its drift test. `hook_failed`
/// has two shapes: a command hook's and an Alertmanager batch's.
public enum FleetEvents {
    public static let all: [any TypedEvent.Type] = [
        RolloutStarted.self, RolloutStagePassed.self, RolloutHostFailed.self, RolloutRolledBack.self,
        RolloutFinished.self, HookFailed.self, AlertmanagerHookFailed.self,
    ]
}
