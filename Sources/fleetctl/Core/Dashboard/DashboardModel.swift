import Detectors
import FleetCore
import Monitoring

/// The dashboard's view of the fleet: one ``DashboardHost`` per watched host, in inventory
/// order, kept up to date from the watch loop's reports. Pure: no clock, no I/O; every time in
/// it is a poll's or a notification's, so a test feeds reports and reads the model.
public struct DashboardModel: Sendable {
    public private(set) var hosts: [DashboardHost]
    /// Grows with every report applied: a page asks for what changed since the one it shows.
    public private(set) var generation = 0
    /// The rollout in progress (or the newest one, for a while after it ended), from its journal.
    public private(set) var rollout: DashboardRollout?
    private let indexByName: [String: Int]

    public init(hosts: [DashboardHost]) {
        var seen = Set<String>()
        self.hosts = hosts.filter { seen.insert($0.name).inserted }
        indexByName = Dictionary(uniqueKeysWithValues: self.hosts.enumerated().map { ($0.element.name, $0.offset) })
    }

    /// The host named `name`.
    public func host(_ name: String) -> DashboardHost? {
        indexByName[name].map { hosts[$0] }
    }

    /// Applies one watch report (on the loop's thread, through ``DashboardState``).
    public mutating func apply(_ report: WatchReport) {
        switch report {
        case .polled(let poll, let monitor):
            guard let index = indexByName[poll.host] else { return }
            hosts[index].apply(poll, monitor: monitor)
        case .notification(let notification, let silence):
            guard let index = indexByName[notification.host] else { return }
            hosts[index].apply(notification, silencedBy: silence?.id)
        case .autoStop(let host, let alert, let outcome):
            guard let index = indexByName[host] else { return }
            let result: String
            switch outcome {
            case .confirmed(let elapsed):
                result = "stopped, confirmed after " + HumanText.duration(seconds: elapsed.seconds)
            case .failed(let error): result = "FAILED: " + error
            case .capped(let limit): result = "not done: the fleet-wide cap of \(limit) per 10 minutes is reached"
            case .dryRun: result = "dry run: would stop the service"
            }
            hosts[index].recordAutoStop("auto-stop (\(alert.detector)): \(result)")
        case .warning:
            return
        }
        generation += 1
    }

    /// Keeps `name`'s rounds and events from its polls until `until` (Unix seconds): its page is
    /// open. Not a new generation: nothing shown changes until the next poll.
    public mutating func keepDetails(of name: String, until: Double) {
        guard let index = indexByName[name] else { return }
        hosts[index].detailsUntil = max(hosts[index].detailsUntil, until)
    }

    /// Sets the rollout shown; a change counts as a new generation.
    public mutating func setRollout(_ rollout: DashboardRollout?) {
        guard rollout != self.rollout else { return }
        self.rollout = rollout
        generation += 1
    }

    /// The counts at the top of the overview.
    public struct Counts: Sendable, Equatable {
        public var hosts = 0
        public var polled = 0
        public var unreachable = 0
        public var unreadable = 0
        public var blip = 0
        public var firingAlerts = 0
        public var silencedAlerts = 0
        public var throttled = 0
        public var stopped = 0
    }

    public var counts: Counts {
        var counts = Counts()
        counts.hosts = hosts.count
        for host in hosts {
            counts.firingAlerts += host.firing.count
            counts.silencedAlerts += host.firing.filter { $0.silencedBy != nil }.count
            guard let row = host.row else { continue }
            counts.polled += 1
            switch row.reachability {
            case "unreachable": counts.unreachable += 1
            case "unreadable": counts.unreadable += 1
            case "blip": counts.blip += 1
            default: break
            }
            if row.facts?.throttle != nil { counts.throttled += 1 }
            if row.facts?.service == "stopped" { counts.stopped += 1 }
        }
        return counts
    }
}
