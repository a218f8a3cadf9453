import FleetCore

/// `agent-runner migrate`'s decisions: which old spellings of a 0.2.x or 0.3.x agent-runner.toml
/// it rewrites, which it leaves to the operator, and the new text. Pure: bytes in, a
/// ``ConfigMigration`` out (the loader only resolves work_dir to check the result loads).
///
/// The rewrites are the original's automatic transforms (config.md §9) plus `round_timeout_s`
/// → `round_budget_s`, applied as edits of the text so comments and layout survive. Each
/// rewrite keeps the meaning of the file (``TOMLMeaning`` checks the result against the
/// intended changes); anything whose meaning could change is a MANUAL item instead.
public struct ConfigMigrator: Sendable {
    /// Checks that the migrated text loads here (its first error becomes a MANUAL item).
    public let loader: AgentRunnerConfigLoader
    /// The config file, absolute.
    public let configPath: String
    /// The file as the operator named it, in every line of the report.
    public let displayPath: String

    public init(loader: AgentRunnerConfigLoader, configPath: String, displayPath: String) {
        self.loader = loader
        self.configPath = configPath
        self.displayPath = displayPath
    }

    public func migrate(_ bytes: [UInt8]) throws(MigrationError) -> ConfigMigration {
        let document: TOMLTable
        do {
            document = try ConfigFile.parse(bytes, displayPath: displayPath)
        } catch {
            throw MigrationError(error.description, exitCode: ExitCode.config)
        }
        let layout = TOMLLayout(bytes)
        var planner = MigrationPlanner(document: document, layout: layout)
        planner.plan()
        guard let migratedBytes = planner.edits.apply(to: bytes) else {
            throw internalError("two rewrites overlap")
        }
        let original = String(decoding: bytes, as: UTF8.self)
        let migrated = String(decoding: migratedBytes, as: UTF8.self)
        let migratedLayout = TOMLLayout(migratedBytes)
        if !planner.edits.isEmpty {
            let result: TOMLTable
            do {
                result = try TOML.parse(migratedBytes)
            } catch {
                throw internalError(
                    "the rewritten text is not valid TOML (line \(error.position.line): \(error.message))")
            }
            var intended = TOMLMeaning(document)
            planner.changes.forEach { intended.apply($0) }
            guard intended == TOMLMeaning(result) else {
                throw internalError("the rewritten text does not mean what the rewrites intended")
            }
        }
        let lines = LineMap(old: original, new: migrated)
        var items = planner.items.map { planned in
            var item = planned.item
            if item.kind != .rewrite {
                item.migratedLine = migratedLayout.line(of: planned.path) ?? lines.newLine(item.line) ?? item.line
            }
            return item
        }
        if !items.contains(where: { $0.kind == .manual }) {
            do {
                _ = try loader.parse(migratedBytes, configPath: configPath, displayPath: displayPath)
            } catch {
                let newLine = error.line ?? 1
                let path = error.key.map { $0.split(separator: ".").map(String.init) } ?? []
                let oldLine = layout.line(of: path) ?? lines.oldLine(newLine) ?? newLine
                items.append(
                    .init(
                        kind: .manual, line: oldLine, migratedLine: newLine, key: error.key ?? "",
                        message: error.message))
            }
        }
        return ConfigMigration(file: displayPath, original: original, migrated: migrated, items: items)
    }

    private func internalError(_ what: String) -> MigrationError {
        MigrationError(
            "internal error: migrating \(displayPath): \(what); nothing was written. Please report it with the file.",
            exitCode: ExitCode.software)
    }
}

/// Line numbers of the lines two texts share (the diff's common subsequence).
private struct LineMap {
    private var oldToNew: [Int: Int] = [:]
    private var newToOld: [Int: Int] = [:]

    init(old: String, new: String) {
        for case .same(let a, let b) in LineDiff.operations(LineDiff.lines(old), LineDiff.lines(new)) {
            oldToNew[a + 1] = b + 1
            newToOld[b + 1] = a + 1
        }
    }

    func newLine(_ old: Int) -> Int? { oldToNew[old] }
    func oldLine(_ new: Int) -> Int? { newToOld[new] }
}

/// Plans the edits, the intended changes of meaning and the report for one document.
private struct MigrationPlanner {
    struct Planned {
        var item: ConfigMigration.Item
        /// Where the item is in the document, to find its line in the migrated text.
        var path: [String]
    }

    let document: TOMLTable
    let layout: TOMLLayout
    var edits = TextEdits()
    var changes: [TOMLMeaning.Change] = []
    var items: [Planned] = []
    /// Paths a rewrite already handles, so the unknown-key check does not report them again.
    var handled: Set<[String]> = []

    init(document: TOMLTable, layout: TOMLLayout) {
        self.document = document
        self.layout = layout
    }

    var phaseNames: [String] {
        guard case .table(let phases)? = document["phases"] else { return [] }
        return phases.keys.filter { name in
            guard name != "list", name != "phase_policy", case .table = phases[name] else { return false }
            return true
        }
    }

    func table(_ path: [String]) -> TOMLTable? {
        ConfigSpellings.table(at: path, in: document)
    }

    func value(_ path: [String]) -> TOMLValue? {
        guard let last = path.last else { return nil }
        return table(Array(path.dropLast()))?[last]
    }

    /// The line of `path` in the text: its own statement, its table's header, or the nearest
    /// enclosing statement (a key inside an inline table).
    func line(_ path: [String]) -> Int {
        var prefix = path
        while !prefix.isEmpty {
            if let line = layout.line(of: prefix) { return line }
            prefix.removeLast()
        }
        return 1
    }

    static func dotted(_ path: [String]) -> String { path.joined(separator: ".") }

    mutating func report(_ kind: ConfigMigration.Kind, _ path: [String], _ message: String, line: Int? = nil) {
        let item = ConfigMigration.Item(
            kind: kind, line: line ?? self.line(path), key: Self.dotted(path), message: message)
        items.append(Planned(item: item, path: path))
    }

    mutating func plan() {
        renameKeys()
        dropPreRoundSwitches()
        dropRemovedPluginKeys()
        wrapBareStrings()
        relocateHostHealth()
        stampSchemaVersion()
        reportManualItems()
        reportUnknownKeys()
        reportNotes()
    }

    // MARK: Rewrites

    /// Renames in place: same table, same value, the current key name.
    mutating func renameKeys() {
        var renames: [(table: [String], old: String, new: String)] = [
            (["runtime"], "rate_limit_action", "transient_error_action"),
            (["vcs"], "orphan_action", "dirty_action"),
            (["runtime"], "round_timeout_s", "round_budget_s"),
        ]
        for name in phaseNames {
            renames.append((["phases", name], "round_timeout_s", "round_budget_s"))
            renames.append((["phases", name, "runtime"], "round_timeout_s", "round_budget_s"))
        }
        for (tablePath, old, new) in renames where table(tablePath)?[old] != nil {
            let from = tablePath + [old]
            let to = tablePath + [new]
            handled.insert(from)
            if table(tablePath)?[new] != nil {
                report(
                    .manual, from,
                    "is the old name of \(Self.dotted(to)), which is set too (line \(line(to))); "
                        + "delete one of the two")
            } else if let statement = layout.keyValue(from) {
                edits.replace(statement.lastKey, with: new)
                changes.append(.move(from, to))
                report(.rewrite, from, "\(Self.dotted(from)) → \(Self.dotted(to))")
            } else {
                report(
                    .manual, from,
                    "is set inside an inline table, which migrate does not edit; rename it to \(new) by hand")
            }
        }
    }

    /// `disable_pre_round_hooks` goes where it skips nothing (the original 0.3 refuses the key);
    /// where it skips `[hooks] pre_round` commands, deleting it would run them: MANUAL.
    mutating func dropPreRoundSwitches() {
        let active = activePreRoundHookNames()
        for switchKey in ConfigSpellings.preRoundSwitches(in: document) {
            let path = switchKey.table + ["disable_pre_round_hooks"]
            handled.insert(path)
            if switchKey.value && !active.isEmpty {
                report(
                    .manual, path,
                    "= true skips the [hooks] pre_round commands \(active) here, and the original 0.3 "
                        + "refuses the key; to keep that, list them in [plugins] disable (every phase) or remove them, "
                        + "then delete this line")
            } else if let statement = layout.keyValue(path) {
                edits.delete(layout.lines(statement.firstLine, statement.lastLine))
                changes.append(.remove(path))
                let why = switchKey.value ? "there is no [hooks] pre_round command to skip" : "it restated the default"
                report(.rewrite, path, "\(Self.dotted(path)) removed (\(why); the original 0.3.9 dropped the key)")
            } else {
                report(.manual, path, "is set inside an inline table, which migrate does not edit; delete it by hand")
            }
        }
    }

    /// The names of the `[hooks] pre_round` commands not switched off by `[plugins] disable`,
    /// named as the loader names them (a table's `name`, else the basename of its argv[0]).
    func activePreRoundHookNames() -> [String] {
        guard case .array(let hooks)? = value(["hooks", "pre_round"]) else { return [] }
        var disabled: [String] = []
        if case .array(let names)? = value(["plugins", "disable"]) { disabled = names.compactMap(\.stringValue) }
        return hooks.compactMap { hook -> String? in
            switch hook {
            case .array(let argv): return argv.first?.stringValue.map(ConfigPaths.basename)
            case .table(let table):
                if let name = table["name"]?.stringValue { return name }
                guard case .array(let argv)? = table["command"] else { return nil }
                return argv.first?.stringValue.map(ConfigPaths.basename)
            default: return nil
            }
        }.filter { !disabled.contains($0) }
    }

    /// `[plugins]` keys of the original's plugin sandbox (dropped in 0.3.9), never used here.
    mutating func dropRemovedPluginKeys() {
        for key in ["sandbox", "spawn_override_allow", "pin"] where table(["plugins"])?[key] != nil {
            let path = ["plugins", key]
            handled.insert(path)
            let statements = layout.keyValues.filter { $0.path.starts(with: path) }
            let headers = layout.headers.filter { $0.path.starts(with: path) }
            guard !statements.isEmpty || !headers.isEmpty else {
                report(.manual, path, "is set inside an inline table, which migrate does not edit; delete it by hand")
                continue
            }
            for statement in statements {
                edits.delete(layout.lines(statement.firstLine, statement.lastLine))
            }
            for header in headers {
                edits.delete(layout.lines(header.line, header.line))
            }
            changes.append(.remove(path))
            let label = headers.isEmpty ? Self.dotted(path) : "[\(Self.dotted(path))]"
            report(.rewrite, path, "\(label) removed (the original 0.3.9 dropped its plugin sandbox; never used here)")
        }
    }

    /// A single-token string where a list is required becomes a one-element list; an argv
    /// written as one string with spaces is left to the operator (splitting it is guesswork).
    mutating func wrapBareStrings() {
        var targets: [(path: [String], argv: Bool)] = [
            (["agent", "command"], true), (["agent", "prompt_arg_template"], true), (["phases", "list"], false),
            (["prompt", "files"], false), (["monitor", "auto_stop_on"], false), (["plugins", "disable"], false),
        ]
        for name in phaseNames {
            targets += [
                (["phases", name, "agent", "command"], true), (["phases", name, "agent", "prompt_arg_template"], true),
                (["phases", name, "prompt", "files"], false),
            ]
        }
        for (path, argv) in targets {
            guard case .string(let text)? = value(path) else { continue }
            let statement = layout.keyValue(path)
            let token = statement.map { layout.text($0.value) } ?? ""
            if argv && text.contains(where: \.isWhitespace) {
                report(
                    .manual, path,
                    "is a quoted string with spaces; write it as an argv list, e.g. "
                        + "[\"claude\", \"-p\"] (splitting it automatically is unsafe: shell quoting differs)")
            } else if let statement, !token.hasPrefix("\"\"\""), !token.hasPrefix("'''") {
                edits.replace(statement.value, with: "[\(token)]")
                changes.append(.wrapInArray(path))
                report(.rewrite, path, "\(Self.dotted(path)) \(token) → [\(token)]")
            } else {
                report(.manual, path, "must be a list; write it as [\"...\"] by hand")
            }
        }
    }

    /// The flat 0.2.x host_health keys move into their sub-tables: in place as a dotted key
    /// (`memory.avail_min_mb = 300` under `[monitor.host_health]`) when the sub-table has no
    /// header of its own, else into that table's section.
    mutating func relocateHostHealth() {
        let base = ["monitor", "host_health"]
        guard let health = table(base) else { return }
        for relocation in ConfigSpellings.hostHealthRelocations where health[relocation.old] != nil {
            let from = base + [relocation.old]
            let to = base + [relocation.table, relocation.key]
            handled.insert(from)
            let subTable = base + [relocation.table]
            if case .table(let sub)? = health[relocation.table], sub[relocation.key] != nil {
                report(
                    .manual, from,
                    "is the 0.2.x name of \(Self.dotted(to)), which is set too (line \(line(to))); "
                        + "delete one of the two")
                continue
            }
            guard let statement = layout.keyValue(from), layout.keyValue(subTable) == nil else {
                report(
                    .manual, from,
                    "is set inside an inline table, which migrate does not edit; move it to "
                        + "[\(Self.dotted(subTable))] \(relocation.key) by hand")
                continue
            }
            if let header = layout.headers.firstIndex(where: { $0.path == subTable && !$0.isArrayOfTables }) {
                let lastLine =
                    layout.keyValues.filter { $0.header == header }.map(\.lastLine).max() ?? layout.headers[header].line
                let insertAt = layout.lines(lastLine, lastLine).upperBound
                let rest = layout.text(
                    statement.lastKey.upperBound..<layout.lines(statement.lastLine, statement.lastLine).upperBound)
                let needsNewline = insertAt == layout.bytes.count && layout.bytes.last != UInt8(ascii: "\n")
                let line = relocation.key + rest + (rest.hasSuffix("\n") ? "" : layout.newline)
                edits.insert((needsNewline ? layout.newline : "") + line, at: insertAt)
                edits.delete(layout.lines(statement.firstLine, statement.lastLine))
            } else {
                edits.replace(statement.lastKey, with: relocation.target)
            }
            changes.append(.move(from, to))
            report(.rewrite, from, "\(Self.dotted(from)) → \(Self.dotted(to))")
        }
    }

    /// `schema_version = 1` on the first line of a 0.2.x file (which has none).
    mutating func stampSchemaVersion() {
        let current = Int64(AgentRunnerConfigLoader.maxSchemaVersion)
        switch document["schema_version"] {
        case .none:
            let start = layout.bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0  // after a byte order mark
            edits.insert("schema_version = \(current)\(layout.newline)", at: start)
            changes.append(.set(["schema_version"], .integer(current)))
            report(.rewrite, ["schema_version"], "stamped schema_version = \(current)", line: 1)
        case .integer(let version) where version == current:
            break
        case .integer(let version) where version > current:
            report(
                .manual, ["schema_version"],
                "\(version) is newer than this agent-runner supports (max \(current)); "
                    + "upgrade agent-runner instead")
        case .some(let other):
            guard let statement = layout.keyValue(["schema_version"]) else { return }
            edits.replace(statement.value, with: "\(current)")
            changes.append(.set(["schema_version"], .integer(current)))
            report(.rewrite, ["schema_version"], "schema_version \(TOMLFieldReader.describe(other)) → \(current)")
        }
    }

    // MARK: Left to the operator

    mutating func reportManualItems() {
        if table(["runtime"])?["round_timeout_per_phase"] != nil {
            handled.insert(["runtime", "round_timeout_per_phase"])
            report(
                .manual, ["runtime", "round_timeout_per_phase"],
                "removed in the original 0.1.16; set "
                    + "[phases.NAME] round_budget_s = N for each phase, then delete this line")
        }
        if case .array(let names)? = value(["plugins", "disable"]) {
            for name in names.compactMap(\.stringValue) {
                guard let renamed = ConfigSpellings.originalPluginNames[name] else { continue }
                report(
                    .manual, ["plugins", "disable"],
                    "'\(name)' is an old name of the original's '\(renamed)' plugin; no plugin has either name "
                        + "here, so it disables nothing: delete it (or write '\(renamed)' for hosts still on the "
                        + "original, which disables all of that plugin)")
            }
        }
        var commands = [["agent", "command"]]
        for name in phaseNames { commands.append(["phases", name, "agent", "command"]) }
        for path in commands where value(path) == .array([]) {
            report(.manual, path, "is empty; set the agent's argv, e.g. [\"claude\"]")
        }
        if value(["prompt", "files"]) == .array([]) {
            report(
                .manual, ["prompt", "files"],
                "is empty; list the prompt files (only a phase may set "
                    + "[phases.NAME.prompt] files = [])")
        }
    }

    /// Keys neither tool knows, in every table both read: all of them at once, not only the
    /// first one the loader would stop at.
    mutating func reportUnknownKeys() {
        let vcs = ["dirty_action", "stash_idempotency_s"]
        var tables: [(path: [String], allowed: [String])] = [
            ([], AgentRunnerConfigLoader.topLevelKeys), (["agent"], AgentRunnerConfigLoader.agentKeys),
            (["runtime"], AgentRunnerConfigLoader.runtimeKeys), (["prompt"], AgentRunnerConfigLoader.promptKeys),
            (["vcs"], vcs), (["monitor"], AgentRunnerConfigLoader.monitorKeys), (["plugins"], ["disable"]),
            (["monitor", "host_health"], HostHealthReader.tables.map(\.name)),
        ]
        tables += HostHealthReader.tables.map { (["monitor", "host_health", $0.name], $0.keys) }
        for name in phaseNames {
            let phase = ["phases", name]
            tables += [
                (
                    phase,
                    ["round_timeout_s", "round_budget_s", "prompt", "agent", "runtime", "disable_pre_round_hooks"]
                ),
                (phase + ["runtime"], ["round_timeout_s", "round_budget_s", "disable_pre_round_hooks"]),
                (phase + ["prompt"], ["files"]),
                (phase + ["agent"], AgentRunnerConfigLoader.agentKeys.filter { $0 != "exec_prefix" }),
            ]
        }
        for (path, allowed) in tables {
            guard let table = table(path) else { continue }
            for key in table.keys where !allowed.contains(key) && !handled.contains(path + [key]) {
                if path.isEmpty, let message = AgentRunnerConfigLoader.unsupportedTables[key] {
                    report(.manual, [key], message)
                    continue
                }
                let label = path.isEmpty ? "top-level key" : "key in [\(Self.dotted(path))]"
                let suggestion = TOMLFieldReader.closest(to: key, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
                report(
                    .manual, path + [key],
                    "unknown \(label)\(suggestion) (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
    }

    // MARK: Advice

    mutating func reportNotes() {
        for name in phaseNames {
            let phase = ["phases", name]
            for key in ["round_budget_s", "round_timeout_s"] where table(phase)?[key] != nil {
                report(
                    .note, phase + ["round_budget_s"],
                    "may also be written [phases.\(name).runtime] round_budget_s; "
                        + "both tools read either", line: line(phase + [key]))
            }
        }
        if table(["runtime"])?["backoff_jitter_s"] != nil {
            report(
                .note, ["runtime", "backoff_jitter_s"],
                "this agent-runner's key; the original 0.3 refuses it: "
                    + "delete it if hosts still run the original")
        }
        if case .float? = value(["runtime", "restart_delay_s"]) {
            report(
                .note, ["runtime", "restart_delay_s"],
                "a fraction of a second loads here, the original 0.3 "
                    + "refuses it: use whole seconds if hosts still run the original")
        }
        if document["hooks"] != nil {
            report(
                .note, ["hooks"],
                "the original 0.3 ignores [hooks] (its hooks were Python plugins): these "
                    + "commands run only under this agent-runner")
        }
    }
}
