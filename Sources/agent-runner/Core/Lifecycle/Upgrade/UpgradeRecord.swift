import FleetCore

/// What an upgrade in progress has done so far, kept in `versions_dir/upgrade-in-progress.json`
/// from its first disruptive step (stopping the service, or switching bin_link on the
/// package-only path) until it is committed or rolled back.
///
/// An upgrade cut short (killed, its ssh session dropped, the host rebooted) otherwise leaves
/// bin_link on a build that was never confirmed while state.json still names the old one as
/// current, so `--rollback` would go to the wrong version and nothing would restart a stopped
/// service. The next `agent-runner upgrade` reads this record first and finishes or undoes the
/// interrupted upgrade (``UpgradeRecovery``). Written atomically, 0600, like state.json.
public struct UpgradeRecord: Sendable, Equatable {
    public enum Step: String, Sendable, Equatable {
        /// Under way: the service may be stopped; bin_link still points at the old build.
        case started
        /// bin_link points at the new build; the service is being started and confirmed.
        case switched
        /// The new build failed; the old one is being restored.
        case rollingBack = "rolling_back"
    }

    public var fromVersion: String
    public var toVersion: String
    public var path: Upgrader.Path
    public var step: Step
    /// The service ran and this upgrade stops and starts it (the orchestrated paths).
    public var restartsService: Bool
    /// This upgrade installed the new build: undoing it removes the build again.
    public var newlyInstalled: Bool
    /// The `agent-runner upgrade` process that wrote the record.
    public var pid: Int32
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public var startedAt: String

    public init(
        fromVersion: String, toVersion: String, path: Upgrader.Path, step: Step, restartsService: Bool,
        newlyInstalled: Bool,
        pid: Int32, startedAt: String
    ) {
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.path = path
        self.step = step
        self.restartsService = restartsService
        self.newlyInstalled = newlyInstalled
        self.pid = pid
        self.startedAt = startedAt
    }

    public var json: JSONValue {
        .object(
            JSONObject([
                ("from_version", .string(fromVersion)), ("to_version", .string(toVersion)),
                ("path", .string(path.rawValue)),
                ("step", .string(step.rawValue)), ("restarts_service", .bool(restartsService)),
                ("newly_installed", .bool(newlyInstalled)),
                ("pid", .int(Int64(pid))), ("started_at", .string(startedAt)),
            ]))
    }

    /// The record in `text`, or nil when it is not one (both versions must be valid version names).
    public init?(text: String) {
        guard case .object(let object)? = try? JSONParser.strict.parse(text),
            let from = object["from_version"]?.stringValue, VersionStore.isValidVersion(from),
            let to = object["to_version"]?.stringValue, VersionStore.isValidVersion(to),
            let path = object["path"]?.stringValue.flatMap(Upgrader.Path.init(rawValue:)),
            let step = object["step"]?.stringValue.flatMap(Step.init(rawValue:)),
            let restarts = object["restarts_service"]?.boolValue,
            let installed = object["newly_installed"]?.boolValue
        else { return nil }
        self.init(
            fromVersion: from, toVersion: to, path: path, step: step, restartsService: restarts,
            newlyInstalled: installed,
            pid: object["pid"]?.intValue.flatMap { Int32(exactly: $0) } ?? 0,
            startedAt: object["started_at"]?.stringValue ?? "")
    }
}
