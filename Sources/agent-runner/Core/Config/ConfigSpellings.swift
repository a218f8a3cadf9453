import Detectors
import FleetCore

/// The old spellings of agent-runner.toml that still load here: 0.2.x key names (and the few
/// 0.3.x ones the original renamed later), each read with its old meaning. One catalogue for
/// the loader's warnings, `agent-runner migrate` and `agent-runner doctor`, so the three never
/// disagree about what is deprecated.
public enum ConfigSpellings {
    /// A flat 0.2.x `[monitor.host_health]` key and the sub-table key that replaced it in 0.3.0.
    public struct Relocation: Sendable, Equatable {
        /// The flat key (`mem_avail_min_mb`).
        public var old: String
        /// The sub-table (`memory`).
        public var table: String
        /// The key in the sub-table (`avail_min_mb`).
        public var key: String
        /// `memory.avail_min_mb`.
        public var target: String { "\(table).\(key)" }
    }

    /// The flat host_health keys, in the original's registry order (config.md §9).
    public static let hostHealthRelocations: [Relocation] = [
        Relocation(old: "mem_avail_min_mb", table: "memory", key: "avail_min_mb"),
        Relocation(old: "disk_warning_pct", table: "disk", key: "warning_pct"),
        Relocation(old: "disk_critical_pct", table: "disk", key: "critical_pct"),
        Relocation(old: "swap_sout_noise_floor_mb", table: "memory", key: "swap_out_noise_floor_mb"),
        Relocation(old: "mem_free_low_mb", table: "memory", key: "free_low_mb"),
        Relocation(old: "psi_full_avg10_critical", table: "pressure", key: "full_avg10_critical"),
        Relocation(old: "psi_some_avg10_warning", table: "pressure", key: "some_avg10_warning"),
        Relocation(old: "mem_critical_consecutive_samples", table: "pressure", key: "critical_consecutive_samples"),
        Relocation(old: "in_round_mem_terminate", table: "pressure", key: "in_round_terminate"),
    ]

    /// Plugin names of the original that `[plugins] disable` may still hold, with the name the
    /// original 0.3.9 gave them. This agent-runner has no plugins of that name (its `[plugins]
    /// disable` names `[hooks]` commands), so such an entry disables nothing.
    public static let originalPluginNames: [String: String] = [
        "claude_error_detector": "claude", "gemini_error_detector": "gemini",
        "codewhale_error_detector": "codewhale", "kimi_error_detector": "kimi", "pi_error_detector": "pi",
        "claude_rate_limit": "claude",
    ]

    /// Where a `disable_pre_round_hooks` is set: the table path (`["phases", "dev"]`), its value
    /// and line. 0.2.x had it in `[runtime]` and per phase; the original 0.3.9 removed it.
    public struct PreRoundSwitch: Sendable, Equatable {
        public var table: [String]
        public var value: Bool
        public var line: Int?
        public var key: String { (table + ["disable_pre_round_hooks"]).joined(separator: ".") }
    }

    /// Every `disable_pre_round_hooks` of `document` that is a boolean.
    public static func preRoundSwitches(in document: TOMLTable) -> [PreRoundSwitch] {
        var tables: [[String]] = [["runtime"]]
        if case .table(let phases)? = document["phases"] {
            for name in phases.keys where name != "list" && name != "phase_policy" {
                tables += [["phases", name], ["phases", name, "runtime"]]
            }
        }
        return tables.compactMap { path in
            guard let table = table(at: path, in: document),
                case .boolean(let value)? = table["disable_pre_round_hooks"]
            else { return nil }
            return PreRoundSwitch(table: path, value: value, line: table.position(of: "disable_pre_round_hooks")?.line)
        }
    }

    /// The warnings for `document`, which the loader has already read into `config`: one per old
    /// spelling, plus one per `[plugins] disable` entry that names no hook and one per
    /// `[monitor] auto_stop_on` entry that names no detector (with the nearest one). In file order.
    public static func warnings(in document: TOMLTable, file: String, config: AgentRunnerConfig) -> [ConfigWarning] {
        var warnings: [ConfigWarning] = []
        let refused = "the original 0.3 refuses it"
        func warn(_ path: [String], _ message: String, fix: String = ConfigWarning.migrateFix) {
            let line = table(at: Array(path.dropLast()), in: document)?.position(of: path.last ?? "")?.line ?? 1
            warnings.append(
                ConfigWarning(file: file, line: line, key: path.joined(separator: "."), message: message, fix: fix))
        }
        if document["schema_version"] == nil {
            warn(
                ["schema_version"], "missing, as in 0.2.x files (read as 1; the original 0.3 refuses a file without it)"
            )
        }
        var timeoutTables: [[String]] = [["runtime"]]
        for name in config.phases.list { timeoutTables += [["phases", name], ["phases", name, "runtime"]] }
        for path in timeoutTables where table(at: path, in: document)?["round_timeout_s"] != nil {
            let new = (path + ["round_budget_s"]).joined(separator: ".")
            warn(path + ["round_timeout_s"], "the 0.2.x name of \(new) (read as it; \(refused))")
        }
        if table(at: ["runtime"], in: document)?["rate_limit_action"] != nil {
            warn(
                ["runtime", "rate_limit_action"],
                "the old name of runtime.transient_error_action (read as it; \(refused))")
        }
        if let health = table(at: ["monitor", "host_health"], in: document) {
            for relocation in hostHealthRelocations where health[relocation.old] != nil {
                warn(
                    ["monitor", "host_health", relocation.old],
                    "the 0.2.x name of monitor.host_health.\(relocation.target) (read as it; \(refused))")
            }
        }
        let preRound = config.activePreRoundHooks.map(\.name)
        for switchKey in preRoundSwitches(in: document) {
            if switchKey.value {
                warn(
                    switchKey.table + ["disable_pre_round_hooks"],
                    "a 0.2.x key; here it skips the [hooks] pre_round commands \(preRound) (\(refused))",
                    fix: "run `agent-runner migrate`, which says how to keep that without it")
            } else {
                warn(
                    switchKey.table + ["disable_pre_round_hooks"],
                    "a 0.2.x key that only restates the default, pre-round hooks run (\(refused))")
            }
        }
        let hookNames = Set((config.hooks.serveStartup + config.hooks.preRound + config.hooks.postRound).map(\.name))
        for name in config.plugins.disable where !hookNames.contains(name) {
            if let renamed = originalPluginNames[name] {
                warn(
                    ["plugins", "disable"],
                    "'\(name)' is a plugin of the original (0.3.9 calls it '\(renamed)'); this agent-runner has no "
                        + "such plugin, so it disables nothing", fix: "delete it (`agent-runner migrate` says more)")
            } else {
                warn(
                    ["plugins", "disable"], "'\(name)' names no [hooks] command, so it disables nothing",
                    fix: "fix the name or delete it")
            }
        }
        for name in config.monitor.autoStopOn where !DetectorNames.all.contains(name) {
            warn(
                ["monitor", "auto_stop_on"],
                "\(DetectorNames.unknown(name)), so it stops nothing", fix: "fix the name or delete it")
        }
        return warnings.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(
            \.element)
    }

    /// The table at `path` (`["phases", "dev"]`) of `document`, or nil.
    static func table(at path: [String], in document: TOMLTable) -> TOMLTable? {
        var current = document
        for key in path {
            guard case .table(let next)? = current[key] else { return nil }
            current = next
        }
        return current
    }
}
