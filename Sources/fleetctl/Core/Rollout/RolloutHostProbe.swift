import Detectors
import FleetCore
import Monitoring
import SSHTransport

/// One look at a host for a rollout: `agent-runner peek --json` over the transport, reduced to
/// what planning and the health gate need (version, service, round).
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
    }

    /// `<agent_runner> peek --json [--config PATH]`.
    public static func command(_ target: PollTarget) -> [String] {
        AgentRunnerCommand.verb(["peek", "--json"], target.settings)
    }

    public static func probe(_ host: MonitoredHost, executor: any RemoteExecutor, timeout: Duration = .seconds(30)) -> Answer {
        let target = host.target
        let answer = executor.runJSON(host: target.remote, argv: command(target), deadline: .now + timeout)
        guard let document = answer.document else {
            return Answer(reachable: false, error: answer.result.errorMessage ?? answer.result.outcome.category)
        }
        let observation = HostObservation(peek: document, pollerNow: SystemClock().now())
        let critical = DetectorSuite.run(observation, policy: host.policy.detectors).alerts.filter { $0.severity == .critical }.map(\.detector)
        return Answer(reachable: true, version: document["agent_runner_version"]?.stringValue ?? document["service"]?["version"]?.stringValue,
                      serviceActive: document["service"]?["active"]?.boolValue,
                      round: document["status"]?["round_num"]?.intValue.flatMap { Int(exactly: $0) },
                      criticalAlerts: Array(Set(critical)).sorted(),
                      upgradeInProgress: document["upgrade_in_progress"]?.objectValue != nil)
    }

    /// The health sample for the gate. A host whose service was not running before the rollout
    /// is not required to run it now (`serviceActive` nil).
    /// Critical alerts in `criticalBefore` were already firing before the rollout and do not count.
    public static func sample(_ answer: Answer, serviceRequired: Bool, criticalBefore: [String] = []) -> HealthSample {
        guard answer.reachable else { return HealthSample(measured: false) }
        return HealthSample(measured: true, version: answer.version, serviceActive: serviceRequired ? answer.serviceActive ?? false : nil,
                            round: answer.round, newCriticalAlerts: answer.criticalAlerts.filter { !criticalBefore.contains($0) })
    }

    /// `uname -m` on the host, for `{arch}` in the artifact pattern.
    public static func arch(_ target: PollTarget, executor: any RemoteExecutor, timeout: Duration = .seconds(30)) -> Result<String, RolloutError> {
        let result = executor.run(host: target.remote, argv: ["uname", "-m"], deadline: .now + timeout)
        guard case .ok(let stdout) = result.outcome else {
            return .failure(RolloutError("cannot read its architecture (uname -m): \(result.errorMessage ?? result.outcome.category)"))
        }
        let arch = String(decoding: stdout, as: UTF8.self).filter { !$0.isWhitespace }
        return arch.isEmpty ? .failure(RolloutError("uname -m printed nothing")) : .success(arch)
    }
}
