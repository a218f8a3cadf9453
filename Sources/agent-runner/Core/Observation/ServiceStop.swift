#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FleetCore

/// Stops the local serve for the monitor's auto-stop, and says whether it really stopped.
///
/// The original reported `monitor_auto_stop_triggered` even when nothing was running (mode
/// none), so an operator reading the log believed a stop had happened. Here a stop counts only
/// when a serve was running and is confirmed gone within ``timeout``.
public struct ServiceStop: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The service was running and is now stopped.
        case stopped(pid: Int32?)
        /// Nothing was stopped; the message says why (nothing running, still draining, systemctl failed).
        case failed(String, stillRunning: Bool)
    }

    public let probe: ServiceProbe
    public let timeout: Duration

    public init(probe: ServiceProbe, timeout: Duration = .seconds(10)) {
        self.probe = probe
        self.timeout = timeout
    }

    public func stop() -> Outcome {
        let status = probe.status()
        guard status.active else {
            return .failed("nothing to stop: no agent-runner serve is running for \(probe.project) (mode \(status.mode.rawValue))", stillRunning: false)
        }
        switch status.mode {
        case .systemdUser:
            let request = ProcessRequest("systemctl", arguments: ["--user", "--no-block", "stop", probe.unitName],
                                         environment: probe.environment, deadline: .now + .seconds(10))
            guard let output = try? probe.runner.run(request), output.exit == .terminated(0) else {
                return .failed("systemctl --user stop \(probe.unitName) failed", stillRunning: true)
            }
            return waitUntil(pid: status.pid) { !probe.status().active }
        case .pidFile, .none:
            guard let pid = status.pid else { return .failed("serve.pid names no live process", stillRunning: false) }
            guard kill(pid, SIGTERM) == 0 else {
                return .failed("cannot signal serve (pid \(pid)): \(SystemError.text(errno))", stillRunning: ProcessTree.isAlive(pid))
            }
            return waitUntil(pid: pid) { !ProcessTree.isAlive(pid) }
        }
    }

    private func waitUntil(pid: Int32?, _ stopped: () -> Bool) -> Outcome {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if stopped() { return .stopped(pid: pid) }
            usleep(100_000)
        }
        if stopped() { return .stopped(pid: pid) }
        let seconds = timeout.components.seconds
        return .failed("serve\(pid.map { " (pid \($0))" } ?? "") still running \(seconds)s after the stop request (finishing its round?); retrying at the next poll",
                       stillRunning: true)
    }
}
