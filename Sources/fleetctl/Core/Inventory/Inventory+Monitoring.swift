import FleetCore
import Monitoring
import SSHTransport

// How an inventory host becomes the plain values the transport and the monitoring loop take.

extension SSHOptions {
    /// The options an inventory host asks for. Reuse needs a control directory (usually
    /// `ControlDirectory.defaultPath(environment:)`); without one it is off.
    public init(_ settings: Inventory.HostSettings, controlDirectory: String?) {
        var reuse = ConnectionReuse.off
        if settings.connectionReuse, let controlDirectory {
            reuse = .on(controlDirectory: controlDirectory)
        }
        self.init(configFile: settings.sshConfig, connectTimeoutS: settings.connectTimeoutS, connectionReuse: reuse)
    }
}

extension RemoteHost {
    /// An inventory host with its effective settings. `controlDirectory` enables connection
    /// reuse where the host's `connection_reuse` allows it. Throws if its ssh target is unsafe.
    public init(_ host: Inventory.Host, controlDirectory: String?) throws(SSHSetupError) {
        let target: SSHTarget
        do {
            target = try SSHTarget(host.sshTarget)
        } catch {
            throw SSHSetupError(error.code, "host \(host.name): \(error.message)")
        }
        self.init(
            name: host.name, target: target, options: SSHOptions(host.settings, controlDirectory: controlDirectory))
    }
}

extension PollSettings {
    /// The poll settings of an inventory host.
    public init(_ settings: Inventory.HostSettings) {
        self.init(
            agentRunner: settings.agentRunner, remoteConfig: settings.remoteConfig,
            pollIntervalS: settings.pollIntervalS, pollTimeoutS: settings.pollTimeoutS)
    }
}

extension PollTarget {
    /// The target for an inventory host.
    public init(_ host: Inventory.Host, controlDirectory: String?) throws(SSHSetupError) {
        self.init(
            name: host.name, remote: try RemoteHost(host, controlDirectory: controlDirectory),
            settings: PollSettings(host.settings))
    }
}

extension MonitorPolicy {
    /// The policy an inventory host's effective settings give.
    public init(_ settings: Inventory.HostSettings) {
        self.init(
            detectors: settings.detectors, autoStop: settings.autoStop, holdS: settings.alertForS,
            repeatS: settings.alertRepeatS, toleranceS: settings.remoteFailureToleranceS,
            settleS: MonitorPolicy.settle(pollIntervalS: settings.pollIntervalS))
    }
}

extension MonitoredHost {
    /// An inventory host: its poll target and the policy of its effective settings.
    public init(_ host: Inventory.Host, controlDirectory: String?) throws(SSHSetupError) {
        self.init(
            target: try PollTarget(host, controlDirectory: controlDirectory), policy: MonitorPolicy(host.settings))
    }
}
