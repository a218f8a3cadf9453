import Detectors
import FleetCore
import Monitoring
import SSHTransport

/// Turns an inventory TOML file into an ``Inventory`` or one ``ConfigError`` naming file, line
/// and key. Pure apart from ``load(path:)`` reading the file.
public struct InventoryLoader: Sendable {
    static let topLevelKeys = ["defaults", "groups", "hosts", "hooks", "upgrade"]
    static let settingsKeys = [
        "ssh_config", "config", "agent_runner", "poll_interval_s", "poll_timeout_s", "connect_timeout_s",
        "remote_failure_tolerance_s", "connection_reuse", "alert_for_s", "alert_repeat_s", "detectors", "auto_stop",
    ]
    /// Keys only `[defaults]` may hold: they apply to the whole fleet.
    static let fleetKeys = ["state_dir"]
    static let detectorKeys = [
        "disk_warning_pct", "disk_critical_pct", "supervisor_stale_threshold_s", "window", "rate_threshold",
        "short_exit_s", "hung_factor", "orphan_streak", "disabled",
    ]

    public var environment: ConfigEnvironment
    public var fileSystem: any FileSystem
    /// Where default state directories live: `$XDG_STATE_HOME/fleetctl`, else
    /// `~/.local/state/fleetctl` (``StateDirectory/home(environment:home:)``).
    public var stateHome: String

    public init(environment: ConfigEnvironment, fileSystem: any FileSystem, stateHome: String? = nil) {
        self.environment = environment
        self.fileSystem = fileSystem
        self.stateHome = stateHome ?? StateDirectory.home(environment: [:], home: environment.home)
    }

    /// Reads and parses the inventory at `path` (relative to the current directory).
    public func load(path: String) throws(ConfigError) -> Inventory {
        let file = try ConfigFile.read(
            path, environment: environment, fileSystem: fileSystem,
            missingHint:
                "run `fleetctl init-inventory` to write a commented example there, or pass --inventory PATH or set FLEETCTL_INVENTORY"
        )
        var inventory = try parse(file.bytes, path: file.absolutePath, displayPath: path)
        if inventory.fleet.stateDir == nil {
            inventory.fleet.stateDir = StateDirectory.forInventory(
                fileSystem.resolveSymlinks(file.absolutePath) ?? file.absolutePath, stateHome: stateHome)
            inventory.fleet.stateDirIsDefault = true
        }
        return inventory
    }

    /// Parses inventory text.
    public func parse(_ bytes: [UInt8], path: String, displayPath: String) throws(ConfigError) -> Inventory {
        let document = try ConfigFile.parse(bytes, displayPath: displayPath)
        var root = TOMLFieldReader(file: displayPath, table: document)
        try root.rejectUnknownKeys(allowed: Self.topLevelKeys)
        let baseDirectory = ConfigPaths.directory(of: path)

        var defaults = Inventory.HostSettings()
        var fleet = Inventory.FleetPolicy()
        if var table = try root.table("defaults") {
            try table.rejectUnknownKeys(allowed: Self.settingsKeys + Self.fleetKeys)
            if let stateDir = try table.string("state_dir") {
                if stateDir.isEmpty || ConfigPaths.hasControlCharacter(stateDir) {
                    throw table.error("state_dir", "must be a non-empty path without control characters")
                }
                fleet.stateDir = ConfigPaths.absolute(
                    ConfigPaths.expandUser(stateDir, home: environment.home), against: baseDirectory)
            }
            try readSettings(&table, into: &defaults, baseDirectory: baseDirectory, fleet: &fleet, fleetWide: true)
            root.absorb(table)
        }

        // Groups: their settings, and members a group may list itself.
        var groupOrder: [String] = []
        var groupReaders: [String: TOMLFieldReader] = [:]
        var groupMembers: [String: [String]] = [:]
        if var groupsTable = try root.table("groups") {
            for name in groupsTable.table.keys {
                try Self.checkName(name, reader: groupsTable, kind: "group")
                guard var group = try groupsTable.table(name) else { continue }
                try Self.rejectDottedName(name, in: group, kind: "groups", allowed: Self.settingsKeys + ["hosts"])
                try group.rejectUnknownKeys(allowed: Self.settingsKeys + ["hosts"])
                groupMembers[name] = try group.stringList("hosts") ?? []
                groupOrder.append(name)
                groupReaders[name] = group
            }
            root.absorb(groupsTable)
        }

        var hosts: [Inventory.Host] = []
        guard var hostsTable = try root.table("hosts") else {
            throw ConfigError(
                file: displayPath, key: "hosts",
                message:
                    "no hosts; add a [hosts.NAME] table for each host (`fleetctl init-inventory --print` shows an example)"
            )
        }
        for name in hostsTable.table.keys {
            try Self.checkName(name, reader: hostsTable, kind: "host")
            guard var host = try hostsTable.table(name) else { continue }
            try Self.rejectDottedName(
                name, in: host, kind: "hosts", allowed: Self.settingsKeys + ["ssh", "groups", "tags"])
            try host.rejectUnknownKeys(allowed: Self.settingsKeys + ["ssh", "groups", "tags"])
            let target = try host.string("ssh") ?? name
            if let problem = SSHTargetCheck.problem(with: target) {
                throw host.error(host.contains("ssh") ? "ssh" : nil, problem)
            }
            var memberOf = try host.stringList("groups") ?? []
            for (group, members) in groupMembers where members.contains(name) && !memberOf.contains(group) {
                memberOf.append(group)
            }
            for group in memberOf where groupReaders[group] == nil {
                try Self.checkName(group, reader: host, kind: "group", key: "groups")
                if !groupOrder.contains(group) { groupOrder.append(group) }
            }
            var settings = defaults
            for group in memberOf {
                if var groupReader = groupReaders[group] {
                    try readSettings(&groupReader, into: &settings, baseDirectory: baseDirectory, fleet: &fleet)
                }
            }
            try readSettings(&host, into: &settings, baseDirectory: baseDirectory, fleet: &fleet)
            hosts.append(
                Inventory.Host(
                    name: name, sshTarget: target, groups: memberOf, tags: try host.stringList("tags") ?? [],
                    settings: settings))
            hostsTable.absorb(host)
        }
        for (group, members) in groupMembers {
            for member in members where !hosts.contains(where: { $0.name == member }) {
                throw groupReaders[group]!.error(
                    "hosts", "names '\(member)', which is not a \(Inventory.tableHeader("hosts", member)) table")
            }
        }
        for reader in groupReaders.values { root.absorb(reader) }
        root.absorb(hostsTable)
        if hosts.isEmpty {
            throw ConfigError(
                file: displayPath, key: "hosts",
                message:
                    "no hosts; add a [hosts.NAME] table for each host (`fleetctl init-inventory --print` shows an example)"
            )
        }

        let hooks = try readHooks(&root, groups: groupOrder, hosts: hosts)
        var upgrade = Inventory.UpgradePolicy()
        if var table = try root.table("upgrade") {
            try table.rejectUnknownKeys(allowed: [
                "artifact", "source", "canary", "batch", "bake", "max_failures", "method",
            ])
            upgrade.artifact = try table.string("artifact").map {
                ConfigPaths.absolute(ConfigPaths.expandUser($0, home: environment.home), against: baseDirectory)
            }
            if let source = try table.string("source") {
                guard upgrade.artifact == nil else {
                    throw table.error(
                        "source",
                        "set either [upgrade] artifact (one build file) or [upgrade] source "
                            + "(published builds and their SHA256SUMS), not both")
                }
                let resolved =
                    source.contains("://")
                    ? source
                    : ConfigPaths.absolute(
                        ConfigPaths.expandUser(source, home: environment.home),
                        against: baseDirectory)
                do {
                    upgrade.source = try ReleaseTemplate(resolved)
                } catch {
                    throw table.error("source", error.reason)
                }
            }
            upgrade.canary = try table.string("canary")
            if let batch = try table.string("batch") {
                guard BatchSize(batch) != nil else {
                    throw table.error(
                        "batch",
                        "must be a host count like \"5\" or a percentage like \"25%\", got \(TOMLFieldReader.quote(batch))"
                    )
                }
                upgrade.batch = batch
            }
            if let bake = try table.string("bake") {
                guard let seconds = DurationText.seconds(bake) else {
                    throw table.error(
                        "bake", "must be a duration like \"300\", \"5m\" or \"1h\", got \(TOMLFieldReader.quote(bake))")
                }
                upgrade.bakeS = seconds
            }
            upgrade.maxFailures = try table.nonNegativeInt("max_failures") ?? 0
            if let method = try table.choice("method", UpgradeMethod.allCases.map(\.rawValue)) {
                upgrade.method = UpgradeMethod(rawValue: method) ?? .binary
                if upgrade.method == .deb && upgrade.source != nil {
                    throw table.error(
                        "method",
                        "method = \"deb\" pushes the .deb that [upgrade] artifact names; [upgrade] source "
                            + "publishes binaries: set artifact instead")
                }
            }
            root.absorb(table)
        }
        return Inventory(
            path: path, displayPath: displayPath, hosts: hosts, groups: groupOrder, hooks: hooks, fleet: fleet,
            upgrade: upgrade, origins: root.origins)
    }

    /// Applies the settings keys present in `reader` on top of `settings`. `fleet` is given for
    /// `[defaults]` only, the one table that may hold fleet-wide keys.
    private func readSettings(
        _ reader: inout TOMLFieldReader, into settings: inout Inventory.HostSettings, baseDirectory: String,
        fleet: inout Inventory.FleetPolicy, fleetWide: Bool = false
    ) throws(ConfigError) {
        if let path = try reader.string("ssh_config") {
            let absolute = ConfigPaths.absolute(
                ConfigPaths.expandUser(path, home: environment.home), against: baseDirectory)
            // The rule every poll applies (SSHOptions), so check accepts only what polls use.
            if let problem = SSHOptions.configFileProblem(absolute) { throw reader.error("ssh_config", problem) }
            settings.sshConfig = absolute
        }
        if let remote = try reader.string("config") {
            if remote.isEmpty || ConfigPaths.hasControlCharacter(remote) {
                throw reader.error("config", "must be a non-empty path without control characters")
            }
            settings.remoteConfig = remote
        }
        if let command = try reader.string("agent_runner") {
            if command.isEmpty || ConfigPaths.hasControlCharacter(command) {
                throw reader.error("agent_runner", "must be a non-empty command path without control characters")
            }
            settings.agentRunner = command
        }
        settings.pollIntervalS =
            try reader.number("poll_interval_s", in: 0.2...86_400, requirement: "a number of seconds from 0.2 to 86400")
            ?? settings.pollIntervalS
        settings.pollTimeoutS =
            try reader.number("poll_timeout_s", in: 1...3600, requirement: "a number of seconds from 1 to 3600")
            ?? settings.pollTimeoutS
        settings.connectTimeoutS = try reader.positiveInt("connect_timeout_s", max: 600) ?? settings.connectTimeoutS
        settings.remoteFailureToleranceS =
            try reader.nonNegativeInt("remote_failure_tolerance_s", max: 86_400) ?? settings.remoteFailureToleranceS
        settings.connectionReuse = try reader.bool("connection_reuse") ?? settings.connectionReuse
        settings.alertForS =
            try reader.number("alert_for_s", in: 0...86_400, requirement: "a number of seconds from 0 to 86400")
            ?? settings.alertForS
        settings.alertRepeatS =
            try reader.number(
                "alert_repeat_s", in: 0...604_800, requirement: "a number of seconds from 0 (never) to 604800")
            ?? settings.alertRepeatS
        if var detectors = try reader.table("detectors") {
            try detectors.rejectUnknownKeys(allowed: Self.detectorKeys)
            var policy = settings.detectors
            policy.diskWarningPct =
                try detectors.number("disk_warning_pct", in: 0...100, requirement: "a percentage from 0 to 100")
                ?? policy.diskWarningPct
            policy.diskCriticalPct =
                try detectors.number("disk_critical_pct", in: 0...100, requirement: "a percentage from 0 to 100")
                ?? policy.diskCriticalPct
            if let stale = try detectors.nonNegativeInt("supervisor_stale_threshold_s") {
                policy.supervisorStaleThresholdS = stale
            }
            policy.window = try detectors.positiveInt("window", max: 1000) ?? policy.window
            policy.rateThreshold =
                try detectors.number(
                    "rate_threshold", in: 0...1, requirement: "a fraction above 0 and at most 1", allowLowerBound: false
                ) ?? policy.rateThreshold
            policy.shortExitS =
                try detectors.number(
                    "short_exit_s", in: 0...86_400, requirement: "a number of seconds above 0", allowLowerBound: false)
                ?? policy.shortExitS
            policy.hungFactor =
                try detectors.number("hung_factor", in: 1...100, requirement: "a factor from 1 to 100")
                ?? policy.hungFactor
            policy.orphanStreak = try detectors.positiveInt("orphan_streak", max: 1000) ?? policy.orphanStreak
            if let disabled = try detectors.stringList("disabled") {
                for name in disabled where !DetectorNames.all.contains(name) {
                    throw detectors.error(
                        "disabled", DetectorNames.unknown(name))
                }
                policy.disabled = disabled
            }
            if policy.diskWarningPct > policy.diskCriticalPct {
                throw detectors.error(
                    "disk_warning_pct",
                    "(\(policy.diskWarningPct)) must not exceed disk_critical_pct (\(policy.diskCriticalPct))")
            }
            settings.detectors = policy
            reader.absorb(detectors)
        }
        if var autoStop = try reader.table("auto_stop") {
            if fleetWide {
                try autoStop.rejectUnknownKeys(allowed: ["enabled", "on", "confirm_s", "max_per_10m"])
                fleet.autoStopMaxPer10Minutes =
                    try autoStop.nonNegativeInt("max_per_10m", max: 100_000) ?? fleet.autoStopMaxPer10Minutes
            } else {
                if autoStop.contains("max_per_10m") {
                    throw autoStop.error(
                        "max_per_10m", "is a fleet-wide cap; set it in [defaults.auto_stop], not per group or host")
                }
                try autoStop.rejectUnknownKeys(allowed: ["enabled", "on", "confirm_s"])
            }
            settings.autoStop.confirmS =
                try autoStop.number("confirm_s", in: 1...3600, requirement: "a number of seconds from 1 to 3600")
                ?? settings.autoStop.confirmS
            settings.autoStop.enabled = try autoStop.bool("enabled") ?? settings.autoStop.enabled
            if let on = try autoStop.stringList("on") {
                for name in on where !DetectorNames.all.contains(name) {
                    throw autoStop.error(
                        "on", DetectorNames.unknown(name))
                }
                settings.autoStop.on = on
            }
            reader.absorb(autoStop)
        }
    }

    private func readHooks(
        _ root: inout TOMLFieldReader, groups: [String], hosts: [Inventory.Host]
    ) throws(ConfigError) -> [Inventory.AlertHook] {
        guard let value = root.value("hooks") else { return [] }
        guard case .array(let items) = value else {
            throw root.error("hooks", "must be an array of tables ([[hooks]]), got \(TOMLFieldReader.describe(value))")
        }
        var hooks: [Inventory.AlertHook] = []
        for (index, item) in items.enumerated() {
            guard case .table(let table) = item else {
                throw root.error("hooks", "item \(index) must be a table ([[hooks]])")
            }
            var hook = TOMLFieldReader(
                file: root.file, table: table, path: "hooks[\(index)]", headerLine: root.line(of: "hooks"))
            let kind = try hook.choice("kind", ["command", "alertmanager"]) ?? "command"
            var command: [String] = []
            var alertmanagerURL: String?
            if kind == "alertmanager" {
                try hook.rejectUnknownKeys(allowed: ["kind", "url", "name", "on", "min_severity", "hosts", "timeout_s"])
                guard let url = try hook.string("url") else {
                    throw hook.error(
                        nil,
                        "missing required key url for kind = \"alertmanager\" (the Alertmanager base URL, such as \"http://127.0.0.1:9093\")"
                    )
                }
                if let problem = Self.alertmanagerURLProblem(url) { throw hook.error("url", problem) }
                alertmanagerURL = url
            } else {
                try hook.rejectUnknownKeys(allowed: [
                    "kind", "name", "command", "on", "min_severity", "hosts", "timeout_s",
                ])
                guard let words = try hook.stringList("command", allowEmpty: false), !words[0].isEmpty else {
                    throw hook.error(
                        nil,
                        "missing required key command (an argv list such as [\"./notify.sh\", \"{host}\", \"{detector}\"])"
                    )
                }
                for (position, word) in words.enumerated() {
                    if let problem = Self.placeholderProblem(word, at: position, in: words) {
                        throw hook.error("command", problem)
                    }
                }
                command = words
            }
            // `on` mixes states, severities and detector names; each kind given narrows the hook.
            var on: [Inventory.HookEvent] = []
            var detectors: [String] = []
            var severities: [AlertSeverity] = []
            if let words = try hook.stringList("on", allowEmpty: false) {
                for word in words {
                    if let event = Inventory.HookEvent(rawValue: word) {
                        on.append(event)
                    } else if let severity = AlertSeverity(rawValue: word) {
                        severities.append(severity)
                    } else if DetectorNames.all.contains(word) {
                        detectors.append(word)
                    } else {
                        throw hook.error(
                            "on",
                            "'\(word)' is not a state (firing, resolved), a severity (\(AlertSeverity.allCases.map(\.rawValue).joined(separator: ", "))) or a detector (\(DetectorNames.all.joined(separator: ", ")))"
                                + ClosestName.suggestion(for: word, in: DetectorNames.all)
                        )
                    }
                }
            }
            if on.isEmpty { on = Inventory.HookEvent.allCases }
            let severity = try hook.choice("min_severity", AlertSeverity.allCases.map(\.rawValue))
            let selector = try hook.string("hosts") ?? "all"
            if let problem = HostSelector.problem(selector, hosts: hosts.map(\.name), groups: groups) {
                throw hook.error("hosts", problem)
            }
            hooks.append(
                Inventory.AlertHook(
                    name: try hook.string("name")
                        ?? (alertmanagerURL == nil ? ConfigPaths.basename(command[0]) : "alertmanager"),
                    command: command, on: on,
                    detectors: detectors, severities: severities,
                    minSeverity: severity.flatMap(AlertSeverity.init(rawValue:))
                        ?? (severities.isEmpty ? .warning : .info),
                    hosts: selector,
                    timeoutS: try hook.positiveInt("timeout_s", max: 3600) ?? (alertmanagerURL == nil ? 30 : 10),
                    alertmanagerURL: alertmanagerURL))
            root.absorb(hook)
        }
        return hooks
    }

    /// Why an Alertmanager URL cannot be used, or nil: plain `http://host[:port][/path]` only
    /// (fleetctl speaks no TLS; put a local proxy in front of a remote HTTPS Alertmanager).
    static func alertmanagerURLProblem(_ url: String) -> String? {
        if url.hasPrefix("https://") {
            return
                "\(TOMLFieldReader.quote(url)) uses https, which fleetctl does not speak; use http:// to a local Alertmanager or a local TLS proxy"
        }
        if HTTPClient.Endpoint(url) == nil || ConfigPaths.hasControlCharacter(url) || url.contains("?")
            || url.contains("#")
        {
            return
                "\(TOMLFieldReader.quote(url)) is not an http://host[:port][/path] URL (such as \"http://127.0.0.1:9093\")"
        }
        return nil
    }

    /// Why a hook command word is unsafe, or nil. Placeholders stand only as whole words (the
    /// value becomes exactly one argument), and never as the script of a `sh -c`: a message
    /// comes from the host, and a host must never get to write shell code on the operator's machine.
    static func placeholderProblem(_ word: String, at position: Int, in command: [String]) -> String? {
        let isPlaceholder = Inventory.AlertHook.placeholders.contains(word)
        if !isPlaceholder, Inventory.AlertHook.placeholders.contains(where: { word.contains($0) }) {
            return
                "word \(position + 1) (\(TOMLFieldReader.quote(word))) has a placeholder inside a longer word; placeholders must be whole words (\(Inventory.AlertHook.placeholders.joined(separator: ", "))), or read FLEET_HOST, FLEET_DETECTOR, FLEET_MESSAGE ... from the environment or the alert JSON on stdin"
        }
        if isPlaceholder, position > 0,
            command[position - 1] == "-c" || HookShellScript.scriptPosition(command) == position
        {
            return
                "word \(position + 1) (\(word)) would be run as a shell script; pass alert data as arguments after the script, or read it from FLEET_* variables or the JSON on stdin"
        }
        if isPlaceholder, position == 0 {
            return "the program to run cannot be a placeholder (\(word))"
        }
        return nil
    }

    /// Host and group names end up in unit names, metric labels and file names: keep them plain.
    /// `[hosts.no02.lan]` is TOML for a table `lan` inside host `no02`: a dotted name must be
    /// quoted. A key of `name`'s table that is no known key but a table is that mistake; say
    /// how to write it instead of "unknown key in [hosts.no02]".
    static func rejectDottedName(
        _ name: String, in reader: TOMLFieldReader, kind: String, allowed: [String]
    )
        throws(ConfigError)
    {
        for key in reader.table.keys where !allowed.contains(key) {
            guard case .table(var inner)? = reader.table[key] else { continue }
            var dotted = name + "." + key
            while inner.keys.count == 1, let only = inner.keys.first, !allowed.contains(only),
                case .table(let next)? = inner[only]
            {
                dotted += "." + only
                inner = next
            }
            throw reader.error(
                key,
                "[\(kind).\(dotted)] is read as a table inside [\(kind).\(name)]; a name with dots must be quoted: \(Inventory.tableHeader(kind, dotted))"
            )
        }
    }

    static func checkName(_ name: String, reader: TOMLFieldReader, kind: String, key: String? = nil) throws(ConfigError)
    {
        let valid =
            !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D
            } && !name.hasPrefix("-")
        if !valid {
            throw reader.error(
                key ?? name,
                "\(kind) name \(TOMLFieldReader.quote(name)) may hold only letters, digits, '.', '_' and '-' and must not start with '-'"
            )
        }
    }
}

/// Batch sizes for staged upgrades: `N` hosts or `N%` of the remaining hosts.
public enum BatchSize: Sendable, Equatable {
    case count(Int)
    case percent(Int)

    public init?(_ text: String) {
        if text.hasSuffix("%") {
            guard let value = Int(text.dropLast()), (1...100).contains(value) else { return nil }
            self = .percent(value)
        } else {
            guard let value = Int(text), value >= 1 else { return nil }
            self = .count(value)
        }
    }

    /// Hosts per batch out of `total`, at least 1.
    public func hosts(outOf total: Int) -> Int {
        switch self {
        case .count(let count): return max(1, count)
        case .percent(let percent): return max(1, (total * percent + 99) / 100)
        }
    }
}
