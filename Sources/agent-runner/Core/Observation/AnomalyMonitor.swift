import Detectors
import FleetCore

/// `monitor --mode anomaly` on the supervised host: every poll builds the same peek document
/// fleetctl would fetch, turns it into a ``HostObservation``, runs the detector suite with the
/// thresholds of `[monitor]`, and acts on alerts that newly fire (``AlertTracker`` episodes):
/// `monitor_alert_emitted`, and for detectors in `[monitor] auto_stop_on` a confirmed stop of the
/// local serve (`monitor_auto_stop_triggered`) or the reason it did not happen
/// (`monitor_auto_stop_failed`).
public final class AnomalyMonitor: @unchecked Sendable {  // Polled from one thread; `tracker` is its only mutable state.
    /// Events kept for the detectors per poll (the original kept 20,000 in memory across polls;
    /// here each poll reads a bounded tail instead).
    public static let eventsPerPoll = 2_000

    /// One alert that newly fired, and what the monitor did about it.
    public struct Notice: Sendable, Equatable {
        public var alert: Alert
        public var ts: String
        /// `stop_service` when the detector asks for a stop, else `none`.
        public var autoAction: String
        /// The auto-stop attempt, when one was made.
        public var stop: ServiceStop.Outcome?
    }

    let config: AgentRunnerConfig
    let builder: PeekBuilder
    let events: EventSink
    let clock: any WallClock
    let stopper: ServiceStop
    public let settings: DetectorSettings
    public private(set) var tracker = AlertTracker()

    public init(
        config: AgentRunnerConfig, builder: PeekBuilder, events: EventSink, clock: any WallClock, stopper: ServiceStop
    ) {
        self.config = config
        self.builder = builder
        self.events = events
        self.clock = clock
        self.stopper = stopper
        settings = Self.settings(for: config)
    }

    /// The detector thresholds `[monitor]` sets.
    public static func settings(for config: AgentRunnerConfig) -> DetectorSettings {
        let health = config.monitor.hostHealth
        var policy = DetectorPolicy()
        policy.diskWarningPct = health.diskWarningPct
        policy.diskCriticalPct = health.diskCriticalPct
        policy.supervisorStaleThresholdS = config.monitor.supervisorStaleThresholdS
        var memory = MemoryPressureLadder.Thresholds()
        memory.psiFullAvg10Critical = health.pressureFullAvg10Critical
        memory.psiSomeAvg10Warning = health.pressureSomeAvg10Warning
        memory.swapOutNoiseFloorMB = Double(health.memorySwapOutNoiseFloorMB)
        memory.freeLowMB = Double(health.memoryFreeLowMB)
        memory.availMinMB = Double(health.memoryAvailMinMB)
        var growth = DiskGrowthDetector.Thresholds()
        growth.windowS = health.diskGrowthWindowS
        growth.diskPctPerHour = health.diskGrowthPctPerHrWarning
        growth.inodePctPerHour = health.inodeGrowthPctPerHrWarning
        return DetectorSettings(policy: policy, memory: memory, diskGrowth: growth)
    }

    /// `monitor_started{host: null, interval_s, log_dir, mode: "anomaly-only"}`.
    public func started(intervalS: Double) {
        events.emit(
            MonitorStarted(host: nil, intervalS: intervalS, mode: "anomaly-only", logDir: config.runtime.logDir))
    }

    /// The observation one poll sees.
    public func observe() -> HostObservation {
        let document = (try? builder.build(PeekOptions(events: Self.eventsPerPoll)))?.document ?? .null
        return HostObservation(peek: document, pollerNow: clock.now())
    }

    /// One poll: detect, record episodes, act on new alerts. Returns the newly fired alerts.
    public func poll() -> [Notice] {
        let observation = observe()
        let report = DetectorSuite.standard.run(observation, settings: settings)
        for failure in report.errors { events.emit(DetectorErrorEvent(failure)) }
        let now = clock.now()
        var notices: [Notice] = []
        var stopOutcome: ServiceStop.Outcome?
        for transition in tracker.record(.measured(report.alerts), at: now) {
            guard case .fired(let alert) = transition else { continue }
            let autoAction = alert.requestsStop ? "stop_service" : "none"
            var notice = Notice(alert: alert, ts: EventTimestamp.format(now), autoAction: autoAction)
            events.emit(MonitorAlertEmitted(host: nil, alert: alert, autoAction: autoAction))
            if alert.requestsStop && config.monitor.autoStopOn.contains(alert.detector) {
                // One stop per poll, however many detectors asked for it.
                let outcome = stopOutcome ?? stopper.stop()
                stopOutcome = outcome
                notice.stop = outcome
                switch outcome {
                case .stopped:
                    events.emit(MonitorAutoStopTriggered(detector: alert.detector))
                case .failed(let error, let stillRunning):
                    events.emit(MonitorAutoStopFailed(detector: alert.detector, error: error))
                    // Still draining its round: act again at the next poll, as the original does.
                    if stillRunning { tracker.rearm(alert.key) }
                }
            }
            notices.append(notice)
        }
        return notices
    }
}
