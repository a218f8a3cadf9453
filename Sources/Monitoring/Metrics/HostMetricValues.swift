import Detectors
import FleetCore

/// What the exposition says about one host, read from its peek document (and, in `fleetctl
/// watch`, from its monitor): pure values, so `fleetctl watch --metrics-listen` and
/// `agent-runner metrics` export the same series from the same document.
public struct HostMetricValues: Sendable, Equatable {
    public var host: String
    /// The host's inventory groups, joined by commas (the `group` label; empty when none).
    public var group: String
    /// The last poll read a peek document.
    public var up: Bool
    /// ssh reached the host at the last poll (false while blipping or given up).
    public var reachable: Bool
    /// The facts below come from the last document read; nil = never read or not reported.
    public var serviceRunning: Bool?
    public var round: Int?
    public var lastExitCode: Int?
    /// Host clock: `generated_at` minus the newest event's `ts`.
    public var lastEventAgeS: Double?
    public var diskUsedRatio: Double?
    /// Unix seconds the agent is throttled until; 0 when not throttled.
    public var throttledUntil: Double?
    public var version: String?
    /// Unix seconds (poller clock) of the last poll that read a document.
    public var lastSuccess: Double?
    /// Firing alerts: detector and severity.
    public var firing: [FiringAlert] = []

    public struct FiringAlert: Sendable, Equatable, Hashable {
        public var detector: String
        public var severity: String
        public init(detector: String, severity: String) {
            self.detector = detector
            self.severity = severity
        }
    }

    public init(host: String, group: String = "", up: Bool = false, reachable: Bool = false) {
        self.host = host
        self.group = group
        self.up = up
        self.reachable = reachable
    }

    /// Reads the facts of a peek document (ours or the original's; missing fields stay nil).
    public mutating func read(peek document: JSONValue, polledAt: UTCInstant) {
        read(
            facts: HostFacts(peek: document, polledAt: polledAt),
            observation: HostObservation(peek: document, pollerNow: polledAt), polledAt: polledAt)
    }

    /// Reads one measured poll: the status facts and the observation the poller made of the
    /// peek document (the document itself is not kept by the watch loop).
    public mutating func read(facts: HostFacts, observation: HostObservation, polledAt: UTCInstant) {
        serviceRunning = facts.service == "unknown" ? nil : facts.service == "running"
        round = facts.round
        lastExitCode = facts.lastExit
        diskUsedRatio = facts.diskUsedPct.map { $0 / 100 }
        version = facts.version
        throttledUntil = 0
        if let until = observation.reportedThrottle?.untilEpoch, until > 0, until < Int64(Int32.max) * 4 {
            throttledUntil = Double(until)
        }
        lastEventAgeS = nil
        if let generated = facts.generatedAt,
            let newest = observation.events.compactMap({ EventTimestamp.parse($0.ts) }).max(by: {
                Seconds.epoch($0) < Seconds.epoch($1)
            })
        {
            lastEventAgeS = max(0, Seconds.epoch(generated) - Seconds.epoch(newest))
        }
        lastSuccess = Seconds.epoch(polledAt)
    }
}
