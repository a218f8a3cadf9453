import FleetCore
import SSHTransport

/// What polling one host needs to know besides how ssh reaches it: the agent-runner command
/// and config on the host, and the poll's timing. Plain values, so `agent-runner monitor
/// --host` builds one from its flags and fleetctl from its inventory.
public struct PollSettings: Sendable, Equatable {
    /// The agent-runner command on the host.
    public var agentRunner: String = "agent-runner"
    /// Path of agent-runner.toml on the host; nil lets the remote agent-runner use its default.
    public var remoteConfig: String?
    public var pollIntervalS: Double = 30
    /// Hard deadline for one poll (ssh connect + peek).
    public var pollTimeoutS: Double = 20

    public init(
        agentRunner: String = "agent-runner", remoteConfig: String? = nil, pollIntervalS: Double = 30,
        pollTimeoutS: Double = 20
    ) {
        self.agentRunner = agentRunner
        self.remoteConfig = remoteConfig
        self.pollIntervalS = pollIntervalS
        self.pollTimeoutS = pollTimeoutS
    }
}

/// One host to poll: its name, how ssh reaches it, and its poll settings.
public struct PollTarget: Sendable, Equatable {
    public var name: String
    public var remote: RemoteHost
    public var settings: PollSettings

    /// With connection reuse on, the ControlMaster outlives two poll intervals (at least 60 s),
    /// so `watch` keeps one connection per host between polls.
    public init(name: String, remote: RemoteHost, settings: PollSettings) {
        var remote = remote
        if case .on(let directory, _) = remote.options.connectionReuse {
            let persist = Int(min(86_400, max(60, settings.pollIntervalS * 2 + 10)))
            remote.options.connectionReuse = .on(controlDirectory: directory, persistS: persist)
        }
        self.name = name
        self.remote = remote
        self.settings = settings
    }

    /// Poll deadline as a duration.
    public var pollTimeout: Duration {
        .seconds(settings.pollTimeoutS)
    }
}
