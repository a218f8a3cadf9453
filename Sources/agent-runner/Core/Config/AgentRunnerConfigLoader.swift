import Detectors
import FleetCore

/// Turns the text of `agent-runner.toml` into an ``AgentRunnerConfig`` or one ``ConfigError``.
///
/// Pure: the bytes, the path and a ``ConfigEnvironment`` in, a value out. Reading the file is
/// ``load(path:)``'s only side effect.
///
/// Compatibility with the Python tool's files (0.2.x and 0.3.x): every old spelling that still
/// has a meaning here is read with that meaning (`round_timeout_s` as `round_budget_s`,
/// `rate_limit_action` as `transient_error_action`, the flat 0.2.x `[monitor.host_health]` keys as
/// their sub-table keys, a missing `schema_version` as 1) and reported in
/// ``AgentRunnerConfig/warnings`` (see ``ConfigSpellings``); setting an old and a new spelling
/// of one setting is an error. `disable_pre_round_hooks` is accepted only where it changes what
/// runs (there are `[hooks] pre_round` commands to skip). Unknown keys are rejected everywhere,
/// top level included, so a typo never silently becomes a default.
public struct AgentRunnerConfigLoader: Sendable {
    /// The newest `schema_version` this build understands.
    public static let maxSchemaVersion = 1

    static let topLevelKeys = [
        "schema_version", "agent", "runtime", "prompt", "phases", "vcs", "monitor", "plugins", "hooks", "upgrade",
        "schedule",
    ]
    static let agentKeys = [
        "command", "prompt_arg_template", "name", "env", "prompt_delivery", "exec_prefix", "terminal_marker",
        "sigterm_grace_s",
    ]
    static let runtimeKeys = [
        "work_dir", "log_dir", "round_timeout_s", "round_budget_s", "restart_delay_s", "round_log_retention",
        "round_log_max_mb", "event_log_months", "narrative_file", "transient_error_action", "rate_limit_action",
        "backoff_jitter_s", "max_rounds", "stop_file",
        "substrate_fingerprint_paths", "fresh_eyes_every_n", "dry_run", "max_grace_after_result_s",
        "grace_kill_ignore_patterns", "disable_pre_round_hooks",
    ]
    static let promptKeys = [
        "file", "files", "inject_context", "context_injection_mode", "concat_separator", "strip_yaml_frontmatter",
    ]
    static let monitorKeys = [
        "auth_fail_patterns", "auth_fail_hint", "auto_stop_on", "remote_failure_tolerance_s",
        "anomaly_repetitive_window",
        "anomaly_repetitive_threshold", "host_health", "round_progress_interval_s", "supervisor_stale_threshold_s",
    ]
    static let vcsKeys = ["dirty_action", "stash_idempotency_s"]
    static let pluginsKeys = ["disable"]
    static let upgradeKeys = [
        "versions_dir", "bin_link", "keep_versions", "smoke_timeout_s", "source", "source_timeout_s",
    ]
    static let phasesKeys = ["list", "phase_policy"]
    static let phaseKeys = [
        "round_timeout_s", "round_budget_s", "prompt", "agent", "runtime", "schedule", "disable_pre_round_hooks",
    ]
    static let phaseRuntimeKeys = ["round_timeout_s", "round_budget_s", "disable_pre_round_hooks"]
    static let phasePromptKeys = ["files"]
    /// The `[monitor.host_health]` sub-tables and their keys (``HostHealthReader`` reads them).
    static var hostHealthKeys: [String: [String]] {
        Dictionary(uniqueKeysWithValues: HostHealthReader.tables.map { ($0.name, $0.keys) })
    }
    static let hooksKeys = ["serve_startup", "pre_round", "post_round"]
    /// Keys of a hook written as a table (`{ name, command, timeout_s }`).
    static let hookItemKeys = ["name", "command", "timeout_s"]

    /// Every key this loader accepts, dotted (`runtime.max_rounds`; `NAME` for a phase,
    /// `ITEM` for a hook written as a table). Built from the very lists unknown keys are checked
    /// against, so a key cannot be accepted without appearing here (and in the key-walk test,
    /// which requires each to have an effect or a refusal).
    public static var acceptedKeys: [String] {
        var keys = ["schema_version"]
        keys += agentKeys.map { "agent.\($0)" }
        keys += runtimeKeys.map { "runtime.\($0)" }
        keys += promptKeys.map { "prompt.\($0)" }
        keys += phasesKeys.map { "phases.\($0)" }
        for key in phaseKeys {
            switch key {
            case "runtime": keys += phaseRuntimeKeys.map { "phases.NAME.runtime.\($0)" }
            case "prompt": keys += phasePromptKeys.map { "phases.NAME.prompt.\($0)" }
            case "schedule": keys += scheduleKeys.map { "phases.NAME.schedule.\($0)" }
            default: keys.append("phases.NAME.\(key)")
            }
        }
        keys += scheduleKeys.map { "schedule.\($0)" }
        keys += vcsKeys.map { "vcs.\($0)" }
        for key in monitorKeys where key != "host_health" { keys.append("monitor.\(key)") }
        for (table, names) in hostHealthKeys { keys += names.map { "monitor.host_health.\(table).\($0)" } }
        keys += pluginsKeys.map { "plugins.\($0)" }
        keys += hooksKeys.map { "hooks.\($0)" }
        keys += hookItemKeys.map { "hooks.ITEM.\($0)" }
        keys += upgradeKeys.map { "upgrade.\($0)" }
        return keys.sorted()
    }

    static let unsupportedTables = [
        "goal":
            "[goal] ledgers and checks are not supported by this agent-runner; remove the table and let the agent write .agent-done when it is finished"
    ]

    static let removedPluginKey =
        "removed in the original 0.3.9 and never used here; delete it, or run `agent-runner migrate`"

    public var environment: ConfigEnvironment
    /// Reads the file and resolves work_dir's symlinks.
    public var fileSystem: any FileSystem
    /// Where `[schedule] timezone` names are looked up (and the host's zone when it is unset).
    public var zones: any ZoneSource

    /// `zones` defaults to the system's IANA database, read through `fileSystem`.
    public init(environment: ConfigEnvironment, fileSystem: any FileSystem, zones: (any ZoneSource)? = nil) {
        self.environment = environment
        self.fileSystem = fileSystem
        self.zones = zones ?? ZoneInfoDatabase(fileSystem: fileSystem)
    }

    /// Reads and parses the file at `path` (relative to the current directory). `missingHint`
    /// ends the error when the file does not exist (where it was looked for, what to do).
    public func load(
        path: String, missingHint: String = "create one with 'agent-runner init' or pass --config PATH"
    ) throws(ConfigError) -> AgentRunnerConfig {
        let file = try ConfigFile.read(path, environment: environment, fileSystem: fileSystem, missingHint: missingHint)
        return try parse(file.bytes, configPath: file.absolutePath, displayPath: path)
    }

    /// Parses `bytes` as the config file at `configPath` (absolute), naming it `displayPath` in errors.
    public func parse(
        _ bytes: [UInt8], configPath: String, displayPath: String
    ) throws(ConfigError) -> AgentRunnerConfig {
        let document = try ConfigFile.parse(bytes, displayPath: displayPath)
        var root = TOMLFieldReader(file: displayPath, table: document)
        for (name, message) in Self.unsupportedTables where root.contains(name) {
            throw root.error(name, message)
        }
        try root.rejectUnknownKeys(allowed: Self.topLevelKeys)
        let schemaVersion = try readSchemaVersion(&root)

        // work_dir first: every other path and the project name depend on it.
        guard var runtimeReader = try root.table("runtime") else {
            throw ConfigError(
                file: displayPath, key: "runtime",
                message: "missing required table [runtime] (it needs at least work_dir and log_dir)")
        }
        let workDir = try resolveWorkDir(&runtimeReader, configPath: configPath)
        let project = Self.projectName(workDir: workDir)
        let paths = PathResolver(workDir: workDir, project: project, home: environment.home)

        guard var agentReader = try root.table("agent") else {
            throw ConfigError(
                file: displayPath, key: "agent", message: "missing required table [agent] (it needs at least command)")
        }
        let agent = try Self.readAgent(&agentReader, overlay: nil)
        root.absorb(agentReader)

        let runtime = try readRuntime(&runtimeReader, workDir: workDir, paths: paths)
        root.absorb(runtimeReader)

        var promptReader =
            try root.table("prompt") ?? TOMLFieldReader(file: displayPath, table: TOMLTable(), path: "prompt")
        let prompt = try Self.readPrompt(&promptReader, paths: paths)
        root.absorb(promptReader)

        var globalSchedule: Schedule?
        if var scheduleReader = try root.table("schedule") {
            globalSchedule = try readSchedule(&scheduleReader, inheriting: nil)
            root.absorb(scheduleReader)
        }
        var phasesReader =
            try root.table("phases") ?? TOMLFieldReader(file: displayPath, table: TOMLTable(), path: "phases")
        let phases = try Self.readPhases(&phasesReader, baseAgentTable: agentReader, paths: paths) {
            (table) throws(ConfigError) in
            if globalSchedule == nil { globalSchedule = try hostLocalSchedule(table) }
            return try readSchedule(&table, inheriting: globalSchedule)
        }
        root.absorb(phasesReader)
        let schedules = PhaseSchedules(
            global: globalSchedule ?? Self.alwaysOpen, phases: phases.list, policy: phases.policy,
            perPhase: phases.overrides.compactMapValues(\.schedule))
        try Self.checkPromptPlaceholders(agent: agent, phases: phases, agentReader: agentReader)

        var vcsReader = try root.table("vcs") ?? TOMLFieldReader(file: displayPath, table: TOMLTable(), path: "vcs")
        try vcsReader.rejectUnknownKeys(
            allowed: Self.vcsKeys,
            removed: [
                "orphan_action":
                    "removed; use vcs.dirty_action (stash, ignore or auto_commit), or run `agent-runner migrate`"
            ])
        let vcs = AgentRunnerConfig.VCS(
            dirtyAction: AgentRunnerConfig.DirtyAction(
                rawValue: try vcsReader.choice("dirty_action", AgentRunnerConfig.DirtyAction.allCases.map(\.rawValue))
                    ?? "stash") ?? .stash,
            stashIdempotencyS: try vcsReader.positiveInt("stash_idempotency_s") ?? 5)
        root.absorb(vcsReader)

        var monitorReader =
            try root.table("monitor") ?? TOMLFieldReader(file: displayPath, table: TOMLTable(), path: "monitor")
        let monitor = try Self.readMonitor(&monitorReader)
        root.absorb(monitorReader)

        var pluginsReader =
            try root.table("plugins") ?? TOMLFieldReader(file: displayPath, table: TOMLTable(), path: "plugins")
        try pluginsReader.rejectUnknownKeys(
            allowed: Self.pluginsKeys,
            removed: [
                "sandbox": Self.removedPluginKey, "spawn_override_allow": Self.removedPluginKey,
                "pin": Self.removedPluginKey,
            ])
        let plugins = AgentRunnerConfig.Plugins(disable: try pluginsReader.stringList("disable") ?? [])
        root.absorb(pluginsReader)

        var hooksReader =
            try root.table("hooks") ?? TOMLFieldReader(file: displayPath, table: TOMLTable(), path: "hooks")
        let hooks = try Self.readHooks(&hooksReader, paths: paths)
        root.absorb(hooksReader)

        var upgradeReader =
            try root.table("upgrade") ?? TOMLFieldReader(file: displayPath, table: TOMLTable(), path: "upgrade")
        try upgradeReader.rejectUnknownKeys(allowed: Self.upgradeKeys)
        var upgrade = AgentRunnerConfig.Upgrade(
            versionsDir: paths.resolve(
                try upgradeReader.string("versions_dir") ?? AgentRunnerConfig.Upgrade.defaultVersionsDir),
            binLink: paths.resolve(try upgradeReader.string("bin_link") ?? AgentRunnerConfig.Upgrade.defaultBinLink),
            keepVersions: try upgradeReader.integer(
                "keep_versions", in: 2...100,
                requirement: "an integer from 2 to 100 (the running version and at least one to roll back to)")
                ?? AgentRunnerConfig.Upgrade.defaultKeepVersions,
            smokeTimeoutS: try upgradeReader.positiveInt("smoke_timeout_s", max: 3600)
                ?? AgentRunnerConfig.Upgrade.defaultSmokeTimeoutS)
        upgrade.source = try Self.readReleaseSource(&upgradeReader, paths: paths)
        upgrade.sourceTimeoutS =
            try upgradeReader.positiveInt("source_timeout_s", max: 600)
            ?? AgentRunnerConfig.Upgrade.defaultSourceTimeoutS
        root.absorb(upgradeReader)

        var origins = root.origins
        origins["project"] = .derived("runtime.work_dir")
        for relocation in ConfigSpellings.hostHealthRelocations {
            if let origin = origins["monitor.host_health.\(relocation.old)"] {
                origins["monitor.host_health.\(relocation.target)"] = origin
            }
        }
        var config = AgentRunnerConfig(
            configPath: configPath, displayPath: displayPath, schemaVersion: schemaVersion, project: project,
            agent: agent, runtime: runtime, prompt: prompt, phases: phases, schedules: schedules, vcs: vcs,
            monitor: monitor, plugins: plugins, hooks: hooks, upgrade: upgrade, origins: origins)
        try Self.checkPreRoundSwitches(document, config: config, file: displayPath)
        config.warnings = ConfigSpellings.warnings(in: document, file: displayPath, config: config)
        return config
    }

    /// A 0.2.x `disable_pre_round_hooks = true` switched off the original's Python pre-round
    /// plugins, which do not exist here; it is accepted only where it skips `[hooks] pre_round`
    /// commands. Otherwise it would be a key that silently does nothing.
    static func checkPreRoundSwitches(
        _ document: TOMLTable, config: AgentRunnerConfig,
        file: String
    ) throws(ConfigError) {
        guard config.activePreRoundHooks.isEmpty else { return }
        for switchKey in ConfigSpellings.preRoundSwitches(in: document) where switchKey.value {
            throw ConfigError(
                file: file, line: switchKey.line, key: switchKey.key,
                message: "has no effect here: there are no [hooks] pre_round commands to skip (it switched off the "
                    + "original's Python pre-round plugins, which this agent-runner does not have); delete the line, "
                    + "or run `agent-runner migrate`, which does")
        }
    }

    /// `[upgrade] source`: an http:// URL as written, or a directory path resolved like the
    /// other paths (`~`, `{project}`, relative to work_dir); then checked as a release template.
    static func readReleaseSource(
        _ reader: inout TOMLFieldReader, paths: PathResolver
    )
        throws(ConfigError) -> ReleaseTemplate?
    {
        guard let text = try reader.string("source") else { return nil }
        let resolved = text.contains("://") ? text : paths.resolve(text)
        do {
            return try ReleaseTemplate(resolved)
        } catch {
            throw reader.error("source", error.reason)
        }
    }

    /// The project name: basename of the resolved work_dir, or `default`.
    public static func projectName(workDir: String) -> String {
        let name = ConfigPaths.basename(workDir)
        return name.isEmpty ? "default" : name
    }

    // MARK: Tables

    private func readSchemaVersion(_ root: inout TOMLFieldReader) throws(ConfigError) -> Int {
        guard let value = root.value("schema_version") else {
            root.noteDefault("schema_version")
            return Self.maxSchemaVersion
        }
        guard case .integer(let version) = value else {
            throw root.error("schema_version", "must be an integer, got \(TOMLFieldReader.describe(value))")
        }
        if version > Int64(Self.maxSchemaVersion) {
            throw root.error(
                "schema_version",
                "\(version) is newer than this agent-runner supports (max \(Self.maxSchemaVersion)); upgrade agent-runner"
            )
        }
        if version < 1 {
            throw root.error("schema_version", "\(version) is not a valid schema version; set schema_version = 1")
        }
        return Int(version)
    }

    private func resolveWorkDir(_ reader: inout TOMLFieldReader, configPath: String) throws(ConfigError) -> String {
        guard let raw = try reader.string("work_dir") else {
            throw reader.error(
                nil,
                "missing required key work_dir (the project's git checkout; relative paths are read from the config file's folder)"
            )
        }
        if ConfigPaths.hasControlCharacter(raw) {
            throw reader.error("work_dir", "holds a control character; fix the path")
        }
        let expanded = ConfigPaths.expandUser(raw.replacingAll("{project}", with: ""), home: environment.home)
        let absolute = ConfigPaths.absolute(expanded, against: ConfigPaths.directory(of: configPath))
        let resolved = fileSystem.resolveSymlinks(absolute) ?? absolute
        if ConfigPaths.hasControlCharacter(resolved) {
            throw reader.error(
                "work_dir",
                "resolves to a path with a control character (\(TOMLFieldReader.quote(resolved))); fix the path")
        }
        return resolved
    }

    static func readAgent(
        _ base: inout TOMLFieldReader, overlay: TOMLFieldReader?
    ) throws(ConfigError) -> AgentRunnerConfig.Agent {
        try base.rejectUnknownKeys(allowed: agentKeys)
        var overlay = overlay
        if let overlay {
            try overlay.rejectUnknownKeys(allowed: agentKeys.filter { $0 != "exec_prefix" })
        }
        // Each key comes from the phase's overlay when it sets it, else from the base table.
        func pick(_ key: String) -> Bool { overlay?.contains(key) ?? false }

        let command: [String]?
        if pick("command") {
            command = try overlay!.stringList("command")
        } else {
            command = try base.stringList("command")
        }
        guard let command else {
            throw base.error(
                nil, "missing required key command (the agent CLI and its flags, e.g. [\"claude\", \"--verbose\"])")
        }
        if command.isEmpty || command[0].isEmpty {
            throw (pick("command") ? overlay! : base).error(
                "command", "must be a non-empty list whose first item is the agent executable")
        }
        let deliveryText =
            pick("prompt_delivery")
            ? try overlay!.choice("prompt_delivery", AgentRunnerConfig.PromptDelivery.allCases.map(\.rawValue))
            : try base.choice("prompt_delivery", AgentRunnerConfig.PromptDelivery.allCases.map(\.rawValue))
        let delivery = AgentRunnerConfig.PromptDelivery(rawValue: deliveryText ?? "argv") ?? .argv
        let template =
            pick("prompt_arg_template")
            ? try overlay!.stringList("prompt_arg_template") : try base.stringList("prompt_arg_template")
        if template == nil && delivery == .argv {
            throw base.error(
                nil,
                "missing required key prompt_arg_template (e.g. [\"-p\", \"{prompt}\"]; or set prompt_delivery = \"stdin\")"
            )
        }
        let name = pick("name") ? try overlay!.string("name") : try base.string("name")
        let env = pick("env") ? try overlay!.stringTable("env") : try base.stringTable("env")
        let marker =
            pick("terminal_marker") ? try overlay!.string("terminal_marker") : try base.string("terminal_marker")
        let grace =
            pick("sigterm_grace_s")
            ? try overlay!.integer(
                "sigterm_grace_s", in: 1...12,
                requirement: "an integer from 1 to 12 (strictly inside the supervisor's own wait for the agent)")
            : try base.integer(
                "sigterm_grace_s", in: 1...12,
                requirement: "an integer from 1 to 12 (strictly inside the supervisor's own wait for the agent)")
        let prefix = try base.stringList("exec_prefix") ?? []
        if let overlay { base.absorb(overlay) }
        return AgentRunnerConfig.Agent(
            command: command, promptArgTemplate: template ?? [], name: name,
            env: (env ?? []).map { AgentRunnerConfig.EnvironmentEntry(name: $0.key, value: $0.value) },
            promptDelivery: delivery, execPrefix: prefix, terminalMarker: marker ?? #""type":"result""#,
            sigtermGraceS: grace ?? 10)
    }

    private func readRuntime(
        _ reader: inout TOMLFieldReader, workDir: String, paths: PathResolver
    ) throws(ConfigError) -> AgentRunnerConfig.Runtime {
        try reader.rejectUnknownKeys(
            allowed: Self.runtimeKeys,
            removed: [
                "round_timeout_per_phase": "removed; set [phases.NAME] round_timeout_s = N for each phase instead"
            ])
        guard let logDirText = try reader.string("log_dir") else {
            throw reader.error(
                nil,
                "missing required key log_dir (where events, round logs and state live, e.g. \"~/.agent-runner/{project}/logs\")"
            )
        }
        let logDir = paths.resolve(logDirText)
        let timeout = try Self.readRoundTimeout(&reader, label: "[runtime]")
        if reader.contains("transient_error_action") && reader.contains("rate_limit_action") {
            throw reader.error(
                "rate_limit_action", "is the deprecated name of transient_error_action; set only transient_error_action"
            )
        }
        let actionKey = reader.contains("rate_limit_action") ? "rate_limit_action" : "transient_error_action"
        let action = try reader.choice(actionKey, AgentRunnerConfig.TransientErrorAction.allCases.map(\.rawValue))
        let narrative =
            try reader.string("narrative_file").map(paths.resolve) ?? ConfigPaths.normalize(logDir + "/narrative.md")
        let runtime = AgentRunnerConfig.Runtime(
            workDir: workDir, logDir: logDir, roundTimeoutS: timeout ?? 1800,
            restartDelayS: try reader.number(
                "restart_delay_s", in: 0...86_400, requirement: "a number of seconds above 0", allowLowerBound: false)
                ?? 3,
            roundLogRetention: try reader.nonNegativeInt("round_log_retention") ?? 100,
            roundLogMaxMB: try reader.nonNegativeInt("round_log_max_mb", max: 1_048_576)
                ?? AgentRunnerConfig.Runtime.defaultRoundLogMaxMB,
            eventLogMonths: try reader.nonNegativeInt("event_log_months", max: 1200)
                ?? MonthlyLogRetention.defaultMonths,
            narrativeFile: narrative,
            transientErrorAction: action.flatMap(AgentRunnerConfig.TransientErrorAction.init(rawValue:)) ?? .backOff,
            backoffJitterS: try reader.nonNegativeInt("backoff_jitter_s", max: 600) ?? 30,
            maxRounds: try reader.positiveInt("max_rounds"),
            stopFile: try reader.string("stop_file").map(paths.resolve),
            substrateFingerprintPaths: try Self.fingerprintPatterns(&reader),
            freshEyesEveryN: try reader.positiveInt("fresh_eyes_every_n"),
            dryRun: try reader.bool("dry_run") ?? false,
            maxGraceAfterResultS: try reader.nonNegativeInt("max_grace_after_result_s") ?? 0,
            graceKillIgnorePatterns: try reader.regexList("grace_kill_ignore_patterns") ?? [],
            disablePreRoundHooks: try reader.bool("disable_pre_round_hooks") ?? false)
        return runtime
    }

    /// `substrate_fingerprint_paths`: globs read from work_dir, so an absolute or empty one is
    /// refused (the original's pathlib raised on them at the first round, not at load).
    static func fingerprintPatterns(_ reader: inout TOMLFieldReader) throws(ConfigError) -> [String] {
        let patterns = try reader.stringList("substrate_fingerprint_paths") ?? []
        for (index, pattern) in patterns.enumerated() {
            if pattern.isEmpty {
                throw reader.error(
                    "substrate_fingerprint_paths",
                    "item \(index) is empty; write a glob relative to work_dir, e.g. \"src/**/*.py\"")
            }
            if pattern.hasPrefix("/") || pattern.hasPrefix("~") {
                throw reader.error(
                    "substrate_fingerprint_paths",
                    "item \(index) (\(TOMLFieldReader.quote(pattern))) is absolute; globs are matched "
                        + "from work_dir, so write it relative to work_dir")
            }
        }
        return patterns
    }

    /// `round_timeout_s` or its other name `round_budget_s`; both at once is ambiguous.
    static func readRoundTimeout(_ reader: inout TOMLFieldReader, label: String) throws(ConfigError) -> Int? {
        if reader.contains("round_timeout_s") && reader.contains("round_budget_s") {
            throw reader.error(
                "round_budget_s",
                "round_budget_s and round_timeout_s are two names for the same setting; keep one in \(label)")
        }
        let key = reader.contains("round_budget_s") ? "round_budget_s" : "round_timeout_s"
        return try reader.positiveInt(key, max: 7 * 24 * 3600)
    }

    static func readPrompt(
        _ reader: inout TOMLFieldReader, paths: PathResolver
    ) throws(ConfigError) -> AgentRunnerConfig.Prompt {
        try reader.rejectUnknownKeys(allowed: promptKeys)
        if reader.contains("file") && reader.contains("files") {
            throw reader.error("files", "set either prompt.file or prompt.files, not both")
        }
        let files: [String]
        if let single = try reader.string("file") {
            files = [single]
        } else if let list = try reader.stringList("files") {
            guard !list.isEmpty else {
                throw reader.error(
                    "files",
                    "must be a non-empty list (to run a phase without a prompt, set [phases.NAME.prompt] files = [])")
            }
            files = list
        } else {
            throw reader.error(
                nil, "missing required key prompt.file or prompt.files (e.g. [prompt] file = \"prompts/main.md\")")
        }
        let mode = try reader.choice(
            "context_injection_mode", AgentRunnerConfig.ContextInjectionMode.allCases.map(\.rawValue))
        return AgentRunnerConfig.Prompt(
            files: files.map(paths.resolve),
            injectContext: try reader.bool("inject_context") ?? true,
            contextInjectionMode: mode.flatMap(AgentRunnerConfig.ContextInjectionMode.init(rawValue:)) ?? .prepend,
            concatSeparator: try reader.string("concat_separator") ?? "\n\n",
            stripYAMLFrontmatter: try reader.bool("strip_yaml_frontmatter") ?? true)
    }

    /// `[phases]`; `readSchedule` parses a `[phases.NAME.schedule]` table.
    static func readPhases(
        _ reader: inout TOMLFieldReader, baseAgentTable: TOMLFieldReader, paths: PathResolver,
        readSchedule: (inout TOMLFieldReader) throws(ConfigError) -> Schedule
    ) throws(ConfigError) -> AgentRunnerConfig.Phases {
        let list = try reader.stringList("list") ?? []
        if let duplicate = Dictionary(grouping: list, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw reader.error("list", "phase '\(duplicate)' is listed twice")
        }
        let policyText = try reader.choice("phase_policy", AgentRunnerConfig.PhasePolicy.allCases.map(\.rawValue))
        var overrides: [String: AgentRunnerConfig.PhaseOverride] = [:]
        for name in reader.table.keys where name != "list" && name != "phase_policy" {
            guard case .table = reader.table[name] else {
                throw reader.error(
                    name,
                    "must be a phase table ([phases.\(name)]), got \(TOMLFieldReader.describe(reader.table[name])); only list and phase_policy are plain [phases] keys"
                )
            }
            guard list.contains(name) else {
                throw reader.error(name, "[phases.\(name)] is declared but '\(name)' is not in phases.list (\(list))")
            }
            guard var phase = try reader.table(name) else { continue }
            try phase.rejectUnknownKeys(allowed: phaseKeys)
            var timeout = try readRoundTimeout(&phase, label: "[phases.\(name)]")
            let switchKey = "disable_pre_round_hooks"
            var skipPreRound = try phase.bool(switchKey)
            if var nested = try phase.table("runtime") {
                try nested.rejectUnknownKeys(allowed: phaseRuntimeKeys)
                if let inner = try readRoundTimeout(&nested, label: "[phases.\(name).runtime]") {
                    if timeout != nil {
                        throw nested.error(
                            nil, "set both [phases.\(name)] round_budget_s and [phases.\(name).runtime]; keep one")
                    }
                    timeout = inner
                }
                if let inner = try nested.bool(switchKey) {
                    if skipPreRound != nil {
                        throw nested.error(switchKey, "is set in [phases.\(name)] too; keep one")
                    }
                    skipPreRound = inner
                }
                phase.absorb(nested)
            }
            var promptFiles: [String]?
            if var prompt = try phase.table("prompt") {
                try prompt.rejectUnknownKeys(allowed: phasePromptKeys)
                guard let files = try prompt.stringList("files") else {
                    throw prompt.error(nil, "must have a files list (files = [] runs the phase without a prompt)")
                }
                promptFiles = files.map(paths.resolve)
                phase.absorb(prompt)
            }
            var agent: AgentRunnerConfig.Agent?
            if let overlay = try phase.table("agent") {
                var base = baseAgentTable
                agent = try readAgent(&base, overlay: overlay)
                phase.absorb(base)
            }
            var schedule: Schedule?
            if var table = try phase.table("schedule") {
                schedule = try readSchedule(&table)
                phase.absorb(table)
            }
            overrides[name] = AgentRunnerConfig.PhaseOverride(
                roundTimeoutS: timeout, disablePreRoundHooks: skipPreRound, promptFiles: promptFiles, agent: agent,
                schedule: schedule)
            reader.absorb(phase)
        }
        return AgentRunnerConfig.Phases(
            list: list, policy: policyText.flatMap(AgentRunnerConfig.PhasePolicy.init(rawValue:)) ?? .wait,
            overrides: overrides)
    }

    /// Argv delivery needs `{prompt}` somewhere in the template, except in a phase without prompt
    /// files; stdin delivery must not have one (the prompt would be sent twice).
    static func checkPromptPlaceholders(
        agent: AgentRunnerConfig.Agent, phases: AgentRunnerConfig.Phases, agentReader: TOMLFieldReader
    ) throws(ConfigError) {
        func check(_ agent: AgentRunnerConfig.Agent, promptless: Bool, label: String) throws(ConfigError) {
            let hasPlaceholder = agent.promptArgTemplate.contains { $0.contains("{prompt}") }
            switch agent.promptDelivery {
            case .stdin where hasPlaceholder:
                throw agentReader.error(
                    "prompt_arg_template",
                    "\(label)stdin delivery: remove {prompt} from prompt_arg_template (the prompt is piped to stdin)")
            case .argv where !hasPlaceholder && !promptless:
                throw agentReader.error(
                    "prompt_arg_template",
                    "\(label)has no {prompt} placeholder; add one (e.g. [\"-p\", \"{prompt}\"]) or set prompt_delivery = \"stdin\""
                )
            default: break
            }
        }
        let baseIsUsed = phases.list.isEmpty || phases.list.contains { phases.overrides[$0]?.agent == nil }
        if baseIsUsed {
            let promptless =
                !phases.list.isEmpty && phases.list.allSatisfy { phases.overrides[$0]?.promptFiles?.isEmpty == true }
            try check(agent, promptless: promptless, label: "")
        }
        for name in phases.list {
            guard let override = phases.overrides[name], let phaseAgent = override.agent else { continue }
            try check(phaseAgent, promptless: override.promptFiles?.isEmpty == true, label: "phase \(name): ")
        }
    }

    static func readMonitor(_ reader: inout TOMLFieldReader) throws(ConfigError) -> AgentRunnerConfig.Monitor {
        try reader.rejectUnknownKeys(allowed: monitorKeys)
        let autoStop = try reader.stringList("auto_stop_on") ?? ["oauth_fail", "disk_critical"]
        let window = try reader.nonNegativeInt("anomaly_repetitive_window") ?? 0
        let threshold = try reader.nonNegativeInt("anomaly_repetitive_threshold") ?? 0
        if window > 0 && threshold > window {
            throw reader.error(
                "anomaly_repetitive_threshold",
                "(\(threshold)) must be <= anomaly_repetitive_window (\(window)), or the detector can never fire")
        }
        var health = AgentRunnerConfig.HostHealth()
        if var table = try reader.table("host_health") {
            health = try HostHealthReader.read(&table)
            reader.absorb(table)
        }
        return AgentRunnerConfig.Monitor(
            authFailPatterns: try reader.regexList("auth_fail_patterns") ?? [LogPatterns.authFailure],
            authFailHint: try reader.string("auth_fail_hint") ?? "",
            autoStopOn: autoStop,
            remoteFailureToleranceS: try reader.nonNegativeInt("remote_failure_tolerance_s", max: 3600) ?? 90,
            anomalyRepetitiveWindow: window,
            anomalyRepetitiveThreshold: threshold,
            roundProgressIntervalS: try reader.nonNegativeInt("round_progress_interval_s") ?? 0,
            supervisorStaleThresholdS: try reader.nonNegativeInt("supervisor_stale_threshold_s"),
            hostHealth: health)
    }

    static func readHooks(
        _ reader: inout TOMLFieldReader, paths: PathResolver
    ) throws(ConfigError) -> AgentRunnerConfig.Hooks {
        try reader.rejectUnknownKeys(allowed: hooksKeys)
        return AgentRunnerConfig.Hooks(
            serveStartup: try readHookList(&reader, "serve_startup"),
            preRound: try readHookList(&reader, "pre_round"),
            postRound: try readHookList(&reader, "post_round"))
    }

    /// A hook list: each item is an argv list (`["./seed.sh", "--fast"]`) or a table
    /// `{ name = "seed", command = ["./seed.sh"], timeout_s = 30 }`.
    private static func readHookList(
        _ reader: inout TOMLFieldReader, _ key: String
    ) throws(ConfigError) -> [AgentRunnerConfig.HookCommand] {
        guard let value = reader.value(key) else {
            reader.noteDefault(key)
            return []
        }
        guard case .array(let items) = value else {
            throw reader.error(
                key,
                "must be a list of hooks, each an argv list like [\"./hook.sh\"] or a table {name, command, timeout_s}; got \(TOMLFieldReader.describe(value))"
            )
        }
        var hooks: [AgentRunnerConfig.HookCommand] = []
        for (index, item) in items.enumerated() {
            let label = "\(key)[\(index)]"
            switch item {
            case .array(let words):
                let argv = words.compactMap(\.stringValue)
                guard argv.count == words.count, let first = argv.first, !first.isEmpty else {
                    throw reader.error(key, "item \(index) must be a non-empty list of strings (an argv)")
                }
                hooks.append(.init(name: ConfigPaths.basename(first), argv: argv, timeoutS: 60))
            case .table(let table):
                var hook = TOMLFieldReader(
                    file: reader.file, table: table, path: reader.dotted(label), headerLine: reader.line(of: key))
                try hook.rejectUnknownKeys(allowed: hookItemKeys)
                guard let argv = try hook.stringList("command", allowEmpty: false), !argv[0].isEmpty else {
                    throw hook.error(nil, "missing required key command (an argv list)")
                }
                hooks.append(
                    .init(
                        name: try hook.string("name") ?? ConfigPaths.basename(argv[0]), argv: argv,
                        timeoutS: try hook.positiveInt("timeout_s", max: 3600) ?? 60))
            default:
                throw reader.error(
                    key, "item \(index) must be an argv list or a table, got \(TOMLFieldReader.describe(item))")
            }
        }
        return hooks
    }
}

/// Resolves the path fields of one config: `~`, `{project}`, and relative paths against work_dir.
struct PathResolver: Sendable {
    var workDir: String
    var project: String
    var home: String

    func resolve(_ raw: String) -> String {
        let expanded = ConfigPaths.expandUser(raw.replacingAll("{project}", with: project), home: home)
        return ConfigPaths.absolute(expanded, against: workDir)
    }
}
