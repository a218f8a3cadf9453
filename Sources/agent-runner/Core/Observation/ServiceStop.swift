import FleetCore

/// Stops the local serve for the monitor's auto-stop, and says whether it really stopped.
///
/// The original reported `monitor_auto_stop_triggered` even when nothing was running (mode
/// none), so an operator reading the log believed a stop had happened. Here a stop counts only
/// when a serve was running and is confirmed gone within ``timeout``. The stop itself is the
/// lifecycle's (``ServiceController/stop(timeout:)``): one implementation of "find the mode,
/// ask systemctl or signal serve, wait until it is gone".
public struct ServiceStop: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The service was running and is now stopped.
        case stopped(pid: Int32?)
        /// Nothing was stopped; the message says why (nothing running, still draining, a system
        /// unit, systemctl failed).
        case failed(String, stillRunning: Bool)
    }

    public let probe: ServiceProbe
    public let config: AgentRunnerConfig
    public let timeout: Duration
    /// What the stop runs `systemctl` with and waits on.
    let effects: Effects
    /// What it signals serve through.
    let processes: any ProcessTable

    public init(
        probe: ServiceProbe, config: AgentRunnerConfig, effects: Effects, processes: any ProcessTable,
        timeout: Duration = .seconds(10)
    ) {
        self.probe = probe
        self.config = config
        self.effects = effects
        self.processes = processes
        self.timeout = timeout
    }

    public func stop() -> Outcome {
        let status = probe.status()
        guard status.active else {
            return .failed(
                "nothing to stop: no agent-runner serve is running for \(probe.project) "
                    + "(mode \(status.mode.rawValue))", stillRunning: false)
        }
        var environment = probe.environment
        environment["HOME"] = probe.home
        // The controller narrates for a terminal; the monitor reports the outcome in its event.
        let controller = ServiceController(
            paths: probe.paths, config: config, effects: effects, processes: processes,
            environment: environment, stderr: DiscardedOutput(), executable: "")
        do {
            switch try controller.stop(timeout: timeout) {
            case .stopped: return .stopped(pid: status.pid)
            case .notRunning: return .stopped(pid: status.pid)  // it exited between the probe and the stop
            }
        } catch {
            return .failed(error.message + "; retrying at the next poll", stillRunning: probe.status().active)
        }
    }
}

/// Output nobody reads.
private struct DiscardedOutput: TextOutput {
    func write(_ text: String) {}
}
