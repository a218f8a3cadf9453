import FleetCore

/// What a migration must put back to restore a host exactly as the original ran it
/// (notes on the original, §6): recorded on the host before anything changes (the bytes, in a
/// 0700 backup folder) and in the rollout journal (this value), so a resumed or aborted rollout
/// can restore a host a killed fleetctl left half-migrated.
///
/// Not recorded here: the serve's environment (it stays in the backup folder: it may hold API
/// keys), the original's package (a migration never touches it: our build gets its own link).
public struct MigrationRecord: Sendable, Equatable {
    /// How the original's serve was run, from its peek's `service.mode`.
    public enum Mode: String, Sendable {
        case systemdUser = "systemd_user"
        case pidFile = "pid_file"
        case none
    }

    /// How far the migration got: what a restore has to undo.
    public enum Step: String, Sendable, Comparable {
        /// The backup exists; nothing of the original's changed.
        case recorded
        /// Our build is installed beside the original (its files untouched).
        case installed
        /// The original was asked to stop (its round in flight finishes first).
        case stopping
        /// Our `migrate` rewrote the config.
        case configMigrated = "config_migrated"
        /// Ours was started in the original's service mode.
        case started

        static let order: [Step] = [.recorded, .installed, .stopping, .configMigrated, .started]
        public static func < (lhs: Step, rhs: Step) -> Bool {
            order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    /// A user unit of the project as it was: `systemctl --user is-enabled` and `is-active`.
    public struct Unit: Sendable, Equatable {
        public var name: String
        public var enabled: String
        public var active: String
        public init(name: String, enabled: String, active: String) {
            self.name = name
            self.enabled = enabled
            self.active = active
        }
    }

    public var mode: Mode
    /// The service ran when the migration began: a restore starts it again, the gate demands ours runs.
    public var serviceActive: Bool
    /// The original's project name (its units are `agent-runner@<project>.service`).
    public var project: String
    /// The backup folder on the host, absolute.
    public var backupDir: String
    public var configSHA256: String
    /// `agent-runner.toml.bak*` files that existed (names).
    public var bakFiles: [String]
    public var units: [Unit]
    /// The pid-file serve's `/proc/PID/cmdline`, argument by argument.
    public var serveCommandLine: [String]?
    public var serveWorkingDirectory: String?
    /// Something already existed at our link's path before the migration (so a restore leaves it).
    public var linkExisted: Bool
    public var step: Step
    /// The original was put back (so a rollback or abort leaves the host alone).
    public var restored = false

    public init(
        mode: Mode, serviceActive: Bool, project: String, backupDir: String, configSHA256: String,
        bakFiles: [String] = [], units: [Unit] = [], serveCommandLine: [String]? = nil,
        serveWorkingDirectory: String? = nil, linkExisted: Bool = false, step: Step = .recorded
    ) {
        self.mode = mode
        self.serviceActive = serviceActive
        self.project = project
        self.backupDir = backupDir
        self.configSHA256 = configSHA256
        self.bakFiles = bakFiles
        self.units = units
        self.serveCommandLine = serveCommandLine
        self.serveWorkingDirectory = serveWorkingDirectory
        self.linkExisted = linkExisted
        self.step = step
    }

    /// `agent-runner@<project>.service`, the original's serve unit (and ours: install writes the same name).
    public var serveUnit: String { "agent-runner@\(project).service" }
    public var monitorUnit: String { "agent-runner-monitor@\(project).service" }

    /// The pid-file serve's arguments from `serve` on (`serve --config X ...`), to start ours with.
    public var serveArguments: [String]? {
        guard let line = serveCommandLine, let index = line.firstIndex(of: "serve") else { return nil }
        return Array(line[index...])
    }

    /// Reads the record script's manifest (``MigrationScripts/record``) for a host whose original
    /// ran in `mode`. Throws with what is missing when the manifest is incomplete.
    public init(manifest: String, mode: Mode, serviceActive: Bool, project: String) throws(RolloutError) {
        var values: [String: String] = [:]
        var baks: [String] = []
        var units: [Unit] = []
        for line in manifest.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals])
            let value = String(line[line.index(after: equals)...])
            switch key {
            case "bak": baks.append(value)
            case "unit":
                let words = value.split(separator: " ").map(String.init)
                if words.count == 3 { units.append(Unit(name: words[0], enabled: words[1], active: words[2])) }
            default: values[key] = value
            }
        }
        guard let backup = values["backup"], let sha = values["config_sha256"], sha.count == 64 else {
            throw RolloutError("the backup printed no folder or config sha256: \(manifest.prefix(200))")
        }
        var commandLine: [String]?
        if let hex = values["cmdline_hex"] {
            guard let bytes = Self.bytes(hex: hex) else {
                throw RolloutError("the serve's command line is not hex: \(hex.prefix(80))")
            }
            commandLine = bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast(bytes.last == 0 ? 1 : 0)
                .map { String(decoding: $0, as: UTF8.self) }
        }
        self.init(
            mode: mode, serviceActive: serviceActive, project: project, backupDir: backup, configSHA256: sha,
            bakFiles: baks, units: units, serveCommandLine: commandLine, serveWorkingDirectory: values["cwd"],
            linkExisted: values["link_existed"] == "1")
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }

    // MARK: journal

    public var json: JSONValue {
        var object = JSONObject([
            ("mode", .string(mode.rawValue)), ("service_active", .bool(serviceActive)), ("project", .string(project)),
            ("backup_dir", .string(backupDir)), ("config_sha256", .string(configSHA256)),
            ("bak_files", .array(bakFiles.map(JSONValue.string))),
            (
                "units",
                .array(
                    units.map {
                        .object(
                            JSONObject([
                                ("name", .string($0.name)), ("enabled", .string($0.enabled)),
                                ("active", .string($0.active)),
                            ]))
                    })
            ),
        ])
        if let serveCommandLine { object["serve_command_line"] = .array(serveCommandLine.map(JSONValue.string)) }
        if let serveWorkingDirectory { object["serve_cwd"] = .string(serveWorkingDirectory) }
        object["link_existed"] = .bool(linkExisted)
        object["step"] = .string(step.rawValue)
        object["restored"] = .bool(restored)
        return .object(object)
    }

    public init?(json: JSONValue) {
        guard let object = json.objectValue, let mode = object["mode"]?.stringValue.flatMap(Mode.init(rawValue:)),
            let project = object["project"]?.stringValue, let backup = object["backup_dir"]?.stringValue,
            let sha = object["config_sha256"]?.stringValue,
            let step = object["step"]?.stringValue.flatMap(Step.init(rawValue:))
        else { return nil }
        self.init(
            mode: mode, serviceActive: object["service_active"]?.boolValue ?? false, project: project,
            backupDir: backup,
            configSHA256: sha, bakFiles: object["bak_files"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            units: object["units"]?.arrayValue?.compactMap { unit in
                guard let name = unit["name"]?.stringValue else { return nil }
                return Unit(
                    name: name, enabled: unit["enabled"]?.stringValue ?? "unknown",
                    active: unit["active"]?.stringValue ?? "unknown")
            } ?? [],
            serveCommandLine: object["serve_command_line"]?.arrayValue?.compactMap(\.stringValue),
            serveWorkingDirectory: object["serve_cwd"]?.stringValue,
            linkExisted: object["link_existed"]?.boolValue ?? false, step: step)
        restored = object["restored"]?.boolValue ?? false
    }
}
