/// fleetctl's inventory: the hosts of a fleet, how to reach them, and the policies that apply to
/// each (detector thresholds, auto-stop, alert hooks, upgrades).
///
/// Settings cascade `[defaults]` → each `[groups.NAME]` the host belongs to (in the order the
/// host lists them) → `[hosts.NAME]`, so an operator can tune a flaky edge group without
/// repeating every host. Built only by ``InventoryLoader``; a value is always valid.
public struct Inventory: Sendable {
    /// The inventory file, absolute.
    public var path: String
    public var displayPath: String
    /// Hosts in file order, each with its effective settings.
    public var hosts: [Host]
    /// Group names in file order (declared groups, then groups only named by hosts).
    public var groups: [String]
    public var hooks: [AlertHook]
    public var upgrade: UpgradePolicy
    /// Dotted key → where its value came from.
    public var origins: [String: ConfigOrigin]

    /// One host of the fleet.
    public struct Host: Sendable, Equatable {
        public var name: String
        /// The `~/.ssh/config` alias (or user@host) given to ssh; defaults to the host's name.
        public var sshTarget: String
        public var groups: [String]
        public var tags: [String]
        public var settings: HostSettings
    }

    /// Per-host effective settings after the defaults → groups → host cascade.
    public struct HostSettings: Sendable, Equatable {
        /// Passed to ssh as `-F PATH`; nil uses the operator's own ssh config.
        public var sshConfig: String?
        /// Path of agent-runner.toml on the host; nil lets the remote agent-runner use its default.
        public var remoteConfig: String?
        /// The agent-runner command on the host.
        public var agentRunner: String = "agent-runner"
        public var pollIntervalS: Double = 30
        /// Hard deadline for one poll (ssh connect + peek).
        public var pollTimeoutS: Double = 20
        public var connectTimeoutS: Int = 10
        /// ssh failures inside this window are blips; past it the host is given up. 0 = no tolerance.
        public var remoteFailureToleranceS: Int = 90
        /// ControlMaster connection reuse.
        public var connectionReuse: Bool = true
        public var detectors: DetectorPolicy = DetectorPolicy()
        public var autoStop: AutoStopPolicy = AutoStopPolicy()
        public init() {}
    }

    /// Detector thresholds as fleetctl applies them to a host (the original hard-codes most).
    public struct DetectorPolicy: Sendable, Equatable {
        public var diskWarningPct: Double = 90
        public var diskCriticalPct: Double = 95
        /// nil = derived from the host's round timeout (× 1.5); 0 = off.
        public var supervisorStaleThresholdS: Int?
        /// How many recent rounds the rate detectors look at.
        public var window: Int = 10
        /// Fraction of the window that must match for timeout_rate / oauth_fail / network_fail.
        public var rateThreshold: Double = 0.2
        /// A round shorter than this counts as a short exit.
        public var shortExitS: Double = 60
        public var hungFactor: Double = 1.5
        public var orphanStreak: Int = 3
        /// Detectors switched off for this host.
        public var disabled: [String] = []
        public init() {}
    }

    /// Whether fleetctl stops a host's service when a detector fires.
    public struct AutoStopPolicy: Sendable, Equatable {
        public var enabled: Bool = true
        /// Detectors whose firing stops the service.
        public var on: [String] = ["oauth_fail", "disk_critical"]
        public init() {}
    }

    /// When an alert hook runs.
    public enum HookEvent: String, Sendable, CaseIterable { case firing, resolved }

    /// A shell-free command run when an alert fires or resolves.
    public struct AlertHook: Sendable, Equatable {
        public var name: String
        /// argv; `{host}`, `{detector}`, `{severity}`, `{state}`, `{message}` are substituted per word.
        public var command: [String]
        public var on: [HookEvent]
        public var minSeverity: AlertSeverity
        /// Host selector (`all`, `@group`, a name or a glob) the hook applies to.
        public var hosts: String
        public var timeoutS: Int
    }

    /// `[upgrade]`: defaults for `fleetctl upgrade`.
    public struct UpgradePolicy: Sendable, Equatable {
        /// Artifact path; `{arch}` is replaced by the host's `uname -m`.
        public var artifact: String?
        public var canary: String?
        /// Batch size after the canary: a count (`"5"`) or a percentage (`"25%"`).
        public var batch: String = "25%"
        public var bakeS: Double = 300
        public var maxFailures: Int = 0
        public init() {}
    }

    /// The host named `name`.
    public func host(named name: String) -> Host? {
        hosts.first { $0.name == name }
    }
}
