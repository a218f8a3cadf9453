import Detectors
import FleetCore

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
    /// Fleet-wide settings (`[defaults]` only): where fleetctl keeps state, the auto-stop cap.
    public var fleet: FleetPolicy
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

        /// A host built outside an inventory file (`agent-runner monitor --host`, tests).
        public init(
            name: String, sshTarget: String, groups: [String] = [], tags: [String] = [],
            settings: HostSettings = HostSettings()
        ) {
            self.name = name
            self.sshTarget = sshTarget
            self.groups = groups
            self.tags = tags
            self.settings = settings
        }
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
        /// `for`-style hold: a detector's alert must be present this long before it fires
        /// (0 = fire on the first poll that shows it), so one odd poll does not page anyone.
        public var alertForS: Double = 0
        /// A firing alert is notified again this often while it lasts; 0 = never repeat.
        public var alertRepeatS: Double = 3600
        public var detectors: DetectorPolicy = DetectorPolicy()
        public var autoStop: AutoStopPolicy = AutoStopPolicy()
        public init() {}
    }

    /// The detectors' thresholds, as the inventory's `[detectors]` tables set them.
    public typealias DetectorPolicy = Detectors.DetectorPolicy

    /// The auto-stop policy, as the inventory's `[auto_stop]` tables set it.
    public typealias AutoStopPolicy = Detectors.AutoStopPolicy

    /// `[defaults]` keys that apply to the fleet as a whole rather than to each host.
    public struct FleetPolicy: Sendable, Equatable {
        /// `state_dir`: fleetctl's alert state, silences and fleet event log, overridden by
        /// `--state-dir`. An inventory read from a file without `state_dir` gets the default
        /// derived from the file's location (``StateDirectory/forInventory(_:stateHome:)``), so
        /// every verb finds the same state whichever folder it runs in; nil only for an inventory
        /// parsed from text.
        public var stateDir: String?
        /// Whether ``stateDir`` is that derived default rather than the inventory's own setting.
        public var stateDirIsDefault = false
        /// `[defaults.auto_stop] max_per_10m`: most hosts auto-stopped across the fleet in any
        /// 10 minutes. A detector gone wrong (a bad threshold, a bad release of agent-runner)
        /// then stops a few hosts, not the whole fleet.
        public var autoStopMaxPer10Minutes: Int = 3
        public init() {}
    }

    /// When an alert hook runs.
    public enum HookEvent: String, Sendable, CaseIterable { case firing, resolved }

    /// A shell-free command run when an alert fires or resolves, or (`kind = "alertmanager"`)
    /// an Alertmanager that receives the alerts over its v2 API.
    public struct AlertHook: Sendable, Equatable {
        /// The placeholders a command word may consist of (whole words only).
        public static let placeholders = ["{host}", "{detector}", "{severity}", "{state}", "{message}", "{hint}"]

        public var name: String
        /// argv, run without a shell. A word that is exactly `{host}`, `{detector}`,
        /// `{severity}`, `{state}` or `{message}` is replaced by that value, as one argument;
        /// placeholders inside longer words are refused when the inventory is loaded, so text
        /// from a host never becomes part of a word a program might parse.
        public var command: [String]
        /// States the hook runs for (empty = all).
        public var on: [HookEvent]
        /// Detectors the hook runs for (empty = all), from `on`.
        public var detectors: [String] = []
        /// Severities the hook runs for (empty = all at or above `minSeverity`), from `on`.
        public var severities: [AlertSeverity] = []
        public var minSeverity: AlertSeverity
        /// Host selector (`all`, `@group`, a name or a glob) the hook applies to.
        public var hosts: String
        public var timeoutS: Int
        /// `kind = "alertmanager"`: the Alertmanager base URL (`http://host:9093`) alerts are
        /// posted to (`/api/v2/alerts`); `command` is then empty. nil for command hooks.
        public var alertmanagerURL: String?

        public init(
            name: String, command: [String], on: [HookEvent] = HookEvent.allCases, detectors: [String] = [],
            severities: [AlertSeverity] = [],
            minSeverity: AlertSeverity = .warning, hosts: String = "all", timeoutS: Int = 30,
            alertmanagerURL: String? = nil
        ) {
            self.name = name
            self.command = command
            self.alertmanagerURL = alertmanagerURL
            self.on = on
            self.detectors = detectors
            self.severities = severities
            self.minSeverity = minSeverity
            self.hosts = hosts
            self.timeoutS = timeoutS
        }
    }

    /// `[upgrade]`: defaults for `fleetctl upgrade`.
    public struct UpgradePolicy: Sendable, Equatable {
        /// Artifact path; `{arch}` is replaced by the host's `uname -m`.
        public var artifact: String?
        /// Where builds are published (a directory or http:// URL with `{version}` and `{arch}`,
        /// beside a SHA256SUMS), the same template as agent-runner's `[upgrade] source`: each
        /// host's build is fetched and verified here, on the operator machine, then pushed as
        /// an artifact is. Exclusive with `artifact`.
        public var source: ReleaseTemplate?
        public var canary: String?
        /// Batch size after the canary: a count (`"5"`) or a percentage (`"25%"`).
        public var batch: String = "25%"
        public var bakeS: Double = 300
        public var maxFailures: Int = 0
        /// How builds go onto hosts: `binary` through `agent-runner upgrade`, or `deb` (`dpkg -i`).
        public var method = UpgradeMethod.binary
        public init() {}
    }

    /// The host named `name`.
    public func host(named name: String) -> Host? {
        hosts.first { $0.name == name }
    }
}

extension Inventory {
    /// The TOML table header for a host or group name: `[hosts.pi]`, or `[hosts."no02.lan"]`
    /// when the name is not a bare key (a dot would otherwise nest a table).
    public static func tableHeader(_ kind: String, _ name: String) -> String {
        let bare =
            !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F || byte == 0x2D
            }
        return "[\(kind).\(bare ? name : TOMLFieldReader.quote(name))]"
    }
}
