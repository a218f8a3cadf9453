import FleetCore
import SSHTransport

/// One host to poll: its inventory name and settings, and how ssh reaches it.
public struct PollTarget: Sendable, Equatable {
    public var name: String
    public var remote: RemoteHost
    public var settings: Inventory.HostSettings

    public init(name: String, remote: RemoteHost, settings: Inventory.HostSettings) {
        self.name = name
        self.remote = remote
        self.settings = settings
    }

    /// The target for an inventory host. With reuse on, the ControlMaster outlives two poll
    /// intervals (at least 60 s), so `watch` keeps one connection per host between polls.
    public init(_ host: Inventory.Host, controlDirectory: String?) throws(SSHSetupError) {
        var remote = try RemoteHost(host, controlDirectory: controlDirectory)
        if case .on(let directory, _) = remote.options.connectionReuse {
            let persist = Int(min(86_400, max(60, host.settings.pollIntervalS * 2 + 10)))
            remote.options.connectionReuse = .on(controlDirectory: directory, persistS: persist)
        }
        self.init(name: host.name, remote: remote, settings: host.settings)
    }

    /// Poll deadline as a duration.
    public var pollTimeout: Duration {
        .milliseconds(Int64(settings.pollTimeoutS * 1000))
    }
}
