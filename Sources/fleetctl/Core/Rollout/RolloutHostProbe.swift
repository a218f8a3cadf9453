import Detectors
import FleetCore
import Monitoring
import SSHTransport

/// One look at a host for a rollout: `agent-runner peek --json` over the transport, reduced to
/// what planning and the health gate need (version, service, round). Deadlines come from the
/// effects' monotonic clock and the detectors judge the answer at their wall clock, so a test
/// on a fake clock sees the same deadlines and alerts as production.
public enum RolloutHostProbe {
    public struct Answer: Sendable, Equatable {
        public var reachable: Bool
        public var version: String?
        public var serviceActive: Bool?
        public var round: Int?
        public var error: String?
        /// Detectors firing at critical severity on what the host reported (oauth_fail, disk_critical).
        public var criticalAlerts: [String] = []
        /// The host reports an `agent-runner upgrade` under way or cut short (peek's
        /// `upgrade_in_progress`): its version is not a confirmed one.
        public var upgradeInProgress = false
        /// The peek is the original 0.3.x's (schema 2.x, no version): what a migration moves.
        public var runsOriginal = false
    }

    /// `<agent_runner> peek --json [--config PATH]`.
    public static func command(_ target: PollTarget) -> [String] {
        AgentRunnerCommand.verb(["peek", "--json"], target.settings)
    }

    public static func probe(
        _ host: MonitoredHost, remote: any RemoteExecutor, effects: Effects,
        timeout: Duration = .seconds(30)
    ) -> Answer {
        let target = host.target
        let answer = remote.runJSON(host: target.remote, argv: command(target), deadline: effects.clock.now + timeout)
        guard let document = answer.document else {
            return Answer(reachable: false, error: answer.result.errorMessage ?? answer.result.outcome.category)
        }
        let observation = HostObservation(peek: document, pollerNow: effects.wallClock.now())
        let critical = DetectorSuite.run(observation, policy: host.policy.detectors).alerts
            .filter { $0.severity == .critical }.map(\.detector)
        let version = document["agent_runner_version"]?.stringValue ?? document["service"]?["version"]?.stringValue
        return Answer(
            reachable: true, version: version,
            serviceActive: document["service"]?["active"]?.boolValue,
            round: document["status"]?["round_num"]?.intValue.flatMap { Int(exactly: $0) },
            criticalAlerts: Array(Set(critical)).sorted(),
            upgradeInProgress: document["upgrade_in_progress"]?.objectValue != nil,
            runsOriginal: observation.producer.isOriginal)
    }

    /// The health sample for the gate. A host whose service was not running before the rollout
    /// is not required to run it now (`serviceActive` nil).
    /// Critical alerts in `criticalBefore` were already firing before the rollout and do not count.
    public static func sample(_ answer: Answer, serviceRequired: Bool, criticalBefore: [String] = []) -> HealthSample {
        guard answer.reachable else { return HealthSample(measured: false) }
        return HealthSample(
            measured: true, version: answer.version,
            serviceActive: serviceRequired ? answer.serviceActive ?? false : nil,
            round: answer.round, newCriticalAlerts: answer.criticalAlerts.filter { !criticalBefore.contains($0) })
    }

    /// `uname -m` on the host, for `{arch}` in the artifact pattern.
    public static func arch(
        _ target: PollTarget, remote: any RemoteExecutor, clock: any MonotonicClock,
        timeout: Duration = .seconds(30)
    ) -> Result<String, RolloutError> {
        let result = remote.run(host: target.remote, argv: ["uname", "-m"], deadline: clock.now + timeout)
        guard case .ok(let stdout) = result.outcome else {
            let reason = result.errorMessage ?? result.outcome.category
            return .failure(RolloutError("cannot read its architecture (uname -m): \(reason)"))
        }
        let arch = String(decoding: stdout, as: UTF8.self).filter { !$0.isWhitespace }
        return arch.isEmpty ? .failure(RolloutError("uname -m printed nothing")) : .success(arch)
    }
}
