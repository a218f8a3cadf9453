import FleetCore

/// Which newly fired alerts ask fleetctl to stop a host's service, and whether policy lets them
/// (detectors.md §2 steps 2–3, as values). Pure: performing the stop, and recording
/// `monitor_auto_stop_triggered` / `monitor_auto_stop_failed`, happen in fleetctl.
public struct AutoStopPlan: Sendable, Equatable {
    /// Why a stop an alert asked for is not performed.
    public enum Refusal: Sendable, Equatable {
        /// `[auto_stop] enabled = false` for this host.
        case autoStopDisabled
        /// The detector is not listed in `[auto_stop] on`.
        case detectorNotListed
    }

    /// The answer to an alert's stop request.
    public enum Verdict: Sendable, Equatable {
        /// Stop the service (graceful, as `agent-runner stop`).
        case stopRequested
        /// The alert asks for a stop but policy does not allow it; the alert is still notified.
        case notAllowed(Refusal)
    }

    /// One alert that asked for a stop, and the answer.
    public struct Entry: Sendable, Equatable {
        public var alert: Alert
        public var verdict: Verdict
    }

    /// One entry per fired alert that asks for a stop (``Alert/requestsStop``), in input order.
    /// Alerts that do not ask for a stop have no entry (the original's verdict `none`).
    public var entries: [Entry]

    /// Judges `alerts` (the poll's newly fired ones) against the host's auto-stop policy.
    public init(fired alerts: [Alert], policy: AutoStopPolicy) {
        entries = alerts.filter(\.requestsStop).map { alert in
            let verdict: Verdict
            if !policy.enabled {
                verdict = .notAllowed(.autoStopDisabled)
            } else if !policy.on.contains(alert.detector) {
                verdict = .notAllowed(.detectorNotListed)
            } else {
                verdict = .stopRequested
            }
            return Entry(alert: alert, verdict: verdict)
        }
    }

    /// Builds the plan from a poll's transitions, considering only ``AlertTransition/fired(_:)``:
    /// an alert that keeps firing does not ask again, and a resolution never stops anything.
    public init(transitions: [AlertTransition], policy: AutoStopPolicy) {
        let fired = transitions.compactMap { transition -> Alert? in
            if case .fired(let alert) = transition { return alert }
            return nil
        }
        self.init(fired: fired, policy: policy)
    }

    /// Whether at least one alert's stop is allowed: the service should be stopped (once).
    public var stopRequested: Bool {
        entries.contains { $0.verdict == .stopRequested }
    }

    /// The alerts whose stop is allowed, for `monitor_auto_stop_triggered{detector}` records.
    public var triggers: [Alert] {
        entries.filter { $0.verdict == .stopRequested }.map(\.alert)
    }
}
