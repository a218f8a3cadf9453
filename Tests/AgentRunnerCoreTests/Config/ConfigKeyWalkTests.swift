import Detectors
import FleetCore
import Foundation
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// No key of agent-runner.toml is silently ignored. Every key documented in
/// docs/configuration.md (the agent-runner.toml section's key tables) is one the loader accepts,
/// and the other way round; and each has a proof below: setting it changes what the code that
/// uses it computes (the agent's argv or environment, the stop budget, a gate's decision, the
/// memory defenses' settings, a defense's state, a peek field, an event), or it is refused with a
/// message naming it. A key added to the loader without a proof, or to the docs without the
/// loader, fails this test.
final class ConfigKeyWalkTests: XCTestCase {
    // MARK: The keys

    /// The keys of the docs' agent-runner.toml tables, dotted (`runtime.max_rounds`, `phases.NAME.agent`).
    func documentedKeys() throws -> Set<String> {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let text = try String(contentsOfFile: root + "/docs/configuration.md", encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: "## agent-runner.toml") else { throw Missing("## agent-runner.toml") }
        var keys: Set<String> = []
        var section: String?
        for line in lines[(start + 1)...] {
            if line.hasPrefix("## ") { break }
            if line.hasPrefix("###") {
                let tables = backticked(line).filter { $0.hasPrefix("[") && $0.hasSuffix("]") }
                section =
                    tables.first.map { String($0.dropFirst().dropLast()) } ?? (line.contains("Top level") ? "" : nil)
                continue
            }
            guard let section, line.hasPrefix("| `") else { continue }
            let firstCell = line.dropFirst().prefix { $0 != "|" }
            for token in backticked(firstCell)
            where token.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" || $0 == "." }) {
                keys.insert(section.isEmpty ? token : section + "." + token)
            }
        }
        return keys
    }

    func backticked(_ text: Substring) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map {
            String($0.element)
        }
    }

    struct Missing: Error {
        var what: String
        init(_ what: String) { self.what = what }
    }

    func testTheDocumentedKeysAreTheAcceptedKeys() throws {
        let documented = try documentedKeys()
        let accepted = Set(AgentRunnerConfigLoader.acceptedKeys)
        XCTAssertEqual(
            documented.subtracting(accepted).sorted(), [], "documented in docs/configuration.md but not accepted")
        XCTAssertEqual(
            accepted.subtracting(documented).sorted(), [], "accepted but not documented in docs/configuration.md")
    }

    func testEveryAcceptedKeyHasAProof() {
        let accepted = Set(AgentRunnerConfigLoader.acceptedKeys)
        let proven = Set(proofs.keys)
        XCTAssertEqual(
            accepted.subtracting(proven).sorted(), [], "give these keys a proof below (an effect or a refusal)")
        XCTAssertEqual(proven.subtracting(accepted).sorted(), [], "proofs of keys the loader does not accept")
    }

    func testEveryKeyHasAnEffectOrIsRefused() throws {
        let fixture = try Fixture(self)
        for key in proofs.keys.sorted() {
            let proof = proofs[key]!
            switch proof.kind {
            case .refused(let edits):
                do {
                    _ = try fixture.load(proof.setup + edits)
                    XCTFail("\(key): expected a refusal")
                } catch let error as ConfigError {
                    let leaf = key.split(separator: ".").last.map(String.init) ?? key
                    XCTAssertTrue((error.key ?? "").hasSuffix(leaf) || error.message.contains(leaf), "\(key): \(error)")
                }
            case .changes(let edits, let observe):
                let base = try fixture.load(proof.setup)
                let changed: AgentRunnerConfig
                do {
                    changed = try fixture.load(proof.setup + edits)
                } catch {
                    XCTFail("\(key): \(error)")
                    continue
                }
                let before = try observe(base, fixture)
                let after = try observe(changed, fixture)
                XCTAssertNotEqual(before, after, "\(key) changes nothing that uses it")
            }
        }
    }

    // MARK: Proofs

    struct Edit {
        var table: String
        var key: String
        /// The TOML value; nil removes the key from the base config.
        var value: String?
    }

    struct Proof {
        enum Kind {
            case changes([Edit], (AgentRunnerConfig, Fixture) throws -> String)
            case refused([Edit])
        }

        var setup: [Edit] = []
        var kind: Kind
    }

    static func set(_ table: String, _ key: String, _ value: String) -> Edit {
        Edit(table: table, key: key, value: value)
    }

    /// Setting `key` in `table` to `value` changes `observe`.
    static func changes(
        _ table: String, _ key: String, _ value: String, setup: [Edit] = [],
        _ observe: @escaping (AgentRunnerConfig, Fixture) throws -> String
    ) -> Proof {
        Proof(setup: setup, kind: .changes([set(table, key, value)], observe))
    }

    static func refused(_ table: String, _ key: String, _ value: String) -> Proof {
        Proof(kind: .refused([set(table, key, value)]))
    }

    // Observations, through the code that uses each setting.

    static func launch(_ config: AgentRunnerConfig, phase: String? = nil) -> String {
        let made = AgentLaunch.make(
            agent: config.agent(forPhase: phase), prompt: "PROMPT", workDir: config.runtime.workDir,
            logDir: config.runtime.logDir, round: 2, phase: phase, freshEyes: false, base: [:])
        return "\(made.argv) \(made.environment.sorted { $0.key < $1.key }) \(made.standardInput ?? [])"
    }

    static func stopBudget(_ config: AgentRunnerConfig) -> String { StopBudget(config: config).explanation }

    static func defense(_ name: String) -> (AgentRunnerConfig, Fixture) -> String {
        { config, _ in
            let entry = DefenseCatalogue.entries(for: config).first { $0.name == name }
            return "\(String(describing: entry?.value)) \(String(describing: entry?.currentState))"
        }
    }

    static func memory(_ config: AgentRunnerConfig, _ fixture: Fixture) -> String {
        String(describing: MemoryDefenseSettings(config.monitor.hostHealth))
    }

    static func detectors(_ config: AgentRunnerConfig, _ fixture: Fixture) -> String {
        String(describing: AnomalyMonitor.settings(for: config))
    }

    static func peek(_ path: String) -> (AgentRunnerConfig, Fixture) throws -> String {
        { config, fixture in
            let document = try PeekBuilder(
                config: config, clock: FixedClock(instant: fixture.now), service: fixture.service(config)
            )
            .build(PeekOptions()).document
            return String(describing: try JSONSelect.select(path, in: document))
        }
    }

    /// What the schedule gate decides for round 1 at a Saturday noon in Berlin.
    static func gate(_ config: AgentRunnerConfig, _ fixture: Fixture) -> String {
        String(describing: config.schedules.gate(round: 1, at: wall(TestZones.berlin, 2026, 11, 21, 12, 0)))
    }

    static func hookEnvironment(_ config: AgentRunnerConfig, _ fixture: Fixture) throws -> String {
        let hooks = RoundHooks(
            config: config, runner: HookRunner(effects: .fake(), workDir: config.runtime.workDir),
            events: EventSink(logDir: fixture.root, clock: FixedClock(instant: fixture.now), stderr: CapturedOutput()),
            fileSystem: LocalFileSystem(), baseEnvironment: [:])
        return String(describing: hooks.environment(round: 1, phase: nil).sorted { $0.key < $1.key })
    }

    static func prompt(_ config: AgentRunnerConfig, _ fixture: Fixture) throws -> String {
        let assembler = PromptAssembler(
            separator: config.prompt.concatSeparator, stripYAMLFrontmatter: config.prompt.stripYAMLFrontmatter)
        let body = try assembler.body(files: config.promptFiles(forPhase: nil)) { try? LocalFileSystem().readFile($0) }
            .text
        return "\(body) inject=\(config.prompt.injectContext) mode=\(config.prompt.contextInjectionMode)"
    }

    /// A setting read by the code named in `usedBy` (kept for the reader of a failure).
    static func field(
        _ usedBy: String, _ read: @escaping (AgentRunnerConfig) -> Any?
    ) -> (AgentRunnerConfig, Fixture) -> String {
        { config, _ in "\(usedBy): \(String(describing: read(config)))" }
    }

    static let phase = [set("phases", "list", #"["build"]"#)]
    static let preRoundHook = [set("hooks", "pre_round", #"[["./fetch.sh"]]"#)]
    static let phaseAgent = phase + [set("phases.build.agent", "command", #"["aider"]"#)]

    let proofs: [String: Proof] = [
        "schema_version": refused("", "schema_version", "2"),

        "agent.command": changes("agent", "command", #"["aider", "--yes"]"#) { config, _ in launch(config) },
        "agent.prompt_arg_template": changes("agent", "prompt_arg_template", #"["--message", "{prompt}"]"#) {
            config, _ in launch(config)
        },
        "agent.name": changes("agent", "name", #""claude-opus""#, peek("config.agent_name")),
        "agent.env": changes("agent", "env", #"{ DISABLE_AUTOUPDATER = "1" }"#) { config, _ in launch(config) },
        "agent.prompt_delivery": Proof(
            kind: .changes([
                set("agent", "prompt_delivery", #""stdin""#),
                set("agent", "prompt_arg_template", #"["-p"]"#),
            ]) { config, _ in launch(config) }),
        "agent.exec_prefix": changes("agent", "exec_prefix", #"["nice", "-n", "10"]"#) { config, _ in launch(config) },
        "agent.terminal_marker": changes(
            "agent", "terminal_marker", #""DONE""#, field("AgentWatch.terminalMarker") { $0.agent.terminalMarker }),
        "agent.sigterm_grace_s": changes("agent", "sigterm_grace_s", "3") { config, _ in stopBudget(config) },

        "runtime.work_dir": changes("runtime", "work_dir", #""other""#) { config, _ in launch(config) },
        "runtime.log_dir": changes("runtime", "log_dir", #""elsewhere""#) { config, _ in launch(config) },
        "runtime.round_timeout_s": changes("runtime", "round_timeout_s", "600") { config, _ in stopBudget(config) },
        "runtime.round_budget_s": changes("runtime", "round_budget_s", "600") { config, _ in stopBudget(config) },
        "runtime.restart_delay_s": changes("runtime", "restart_delay_s", "7.5") { config, _ in
            var policy = RestartPolicy(restartDelayS: config.runtime.restartDelayS)
            return String(describing: policy.record(RoundOutcome(exitCode: 0, durationS: 100)))
        },
        "runtime.round_log_retention": changes(
            "runtime", "round_log_retention", "0", defense("bulk_round_log_prune_guard")),
        "runtime.round_log_max_mb": changes(
            "runtime", "round_log_max_mb", "16",
            field("RoundLogRetention") { $0.runtime.roundLogRetentionBeforeRound }),
        "runtime.event_log_months": changes(
            "runtime", "event_log_months", "3", field("LogPrune") { LogPrune(config: $0).months }),
        "runtime.narrative_file": changes(
            "runtime", "narrative_file", #""NOTES.md""#, field("ProgressPage") { $0.runtime.narrativeFile }),
        "runtime.transient_error_action": changes(
            "runtime", "transient_error_action", #""skip""#, defense("transient_error_backoff")),
        "runtime.rate_limit_action": changes(
            "runtime", "rate_limit_action", #""stop""#, defense("transient_error_backoff")),
        "runtime.backoff_jitter_s": changes(
            "runtime", "backoff_jitter_s", "0", field("ThrottleGate.jitterMaxS") { $0.runtime.backoffJitterS }),
        "runtime.max_rounds": changes(
            "runtime", "max_rounds", "4", field("RestartLoop.maxRounds") { $0.runtime.maxRounds }),
        "runtime.stop_file": changes("runtime", "stop_file", #""STOP""#, field("StopTriggers") { $0.runtime.stopFile }),
        "runtime.substrate_fingerprint_paths": changes("runtime", "substrate_fingerprint_paths", #"["prompts/*.md"]"#) {
            config, _ in
            String(
                describing: SubstrateFingerprint(
                    workDir: config.runtime.workDir, patterns: config.runtime.substrateFingerprintPaths
                ).hash())
        },
        "runtime.fresh_eyes_every_n": changes(
            "runtime", "fresh_eyes_every_n", "2", field("RoundRunner.start") { $0.runtime.freshEyesEveryN }),
        "runtime.dry_run": changes("runtime", "dry_run", "true", hookEnvironment),
        "runtime.max_grace_after_result_s": changes(
            "runtime", "max_grace_after_result_s", "30", defense("grace_kill_after_result_s")),
        "runtime.grace_kill_ignore_patterns": changes(
            "runtime", "grace_kill_ignore_patterns", #"["snapshot"]"#,
            field("AgentWatch.ignorePatterns") { $0.runtime.graceKillIgnorePatterns }),
        "runtime.disable_pre_round_hooks": changes(
            "runtime", "disable_pre_round_hooks", "true", setup: preRoundHook,
            field("RoundRunner.start") { $0.preRoundHooksDisabled(forPhase: nil) }),

        "prompt.file": changes("prompt", "file", #""prompts/other.md""#, prompt),
        "prompt.files": Proof(
            kind: .changes(
                [
                    Edit(table: "prompt", key: "file", value: nil),
                    set("prompt", "files", #"["prompts/main.md", "prompts/other.md"]"#),
                ], prompt)),
        "prompt.inject_context": changes("prompt", "inject_context", "false", prompt),
        "prompt.context_injection_mode": changes("prompt", "context_injection_mode", #""file""#, prompt),
        "prompt.concat_separator": changes(
            "prompt", "concat_separator", #""\n---\n""#,
            setup: [
                Edit(table: "prompt", key: "file", value: nil),
                set("prompt", "files", #"["prompts/main.md", "prompts/other.md"]"#),
            ], prompt),
        "prompt.strip_yaml_frontmatter": changes(
            "prompt", "strip_yaml_frontmatter", "false", setup: [set("prompt", "file", #""prompts/front.md""#)],
            prompt),

        "phases.list": changes(
            "phases", "list", #"["plan", "build"]"#, field("RoundRunner.run") { $0.phases.phase(forRound: 2) }),
        "phases.phase_policy": changes(
            "phases", "phase_policy", #""skip""#, setup: [set("phases", "list", #"["plan", "build"]"#)]
        ) { config, _ in
            String(describing: config.schedules.candidates(round: 1))
        },
        "phases.NAME.round_timeout_s": changes("phases.build", "round_timeout_s", "4000", setup: phase) { config, _ in
            stopBudget(config)
        },
        "phases.NAME.round_budget_s": changes("phases.build", "round_budget_s", "4000", setup: phase) { config, _ in
            stopBudget(config)
        },
        "phases.NAME.runtime.round_timeout_s": changes("phases.build.runtime", "round_timeout_s", "4000", setup: phase)
        { config, _ in stopBudget(config) },
        "phases.NAME.runtime.round_budget_s": changes("phases.build.runtime", "round_budget_s", "4000", setup: phase) {
            config, _ in stopBudget(config)
        },
        "phases.NAME.disable_pre_round_hooks": changes(
            "phases.build", "disable_pre_round_hooks", "true", setup: phase + preRoundHook,
            field("RoundRunner.start") { $0.preRoundHooksDisabled(forPhase: "build") }),
        "phases.NAME.runtime.disable_pre_round_hooks": changes(
            "phases.build.runtime", "disable_pre_round_hooks", "true", setup: phase + preRoundHook,
            field("RoundRunner.start") { $0.preRoundHooksDisabled(forPhase: "build") }),
        "phases.NAME.prompt.files": changes(
            "phases.build.prompt", "files", #"["prompts/other.md"]"#, setup: phase,
            field("RoundRunner.start") { $0.promptFiles(forPhase: "build") }),
        "phases.NAME.agent": changes("phases.build.agent", "command", #"["aider"]"#, setup: phase) { config, _ in
            launch(config, phase: "build")
        },
        "phases.NAME.schedule.timezone": changes(
            "phases.build.schedule", "timezone", #""America/New_York""#,
            setup: phaseAgent + [set("phases.build.schedule", "run_windows", #"["Sat 11:00-13:00"]"#)], gate),
        "phases.NAME.schedule.run_windows": changes(
            "phases.build.schedule", "run_windows", #"["Mon-Fri 08:00-20:00"]"#, setup: phaseAgent, gate),
        "phases.NAME.schedule.pause_windows": changes(
            "phases.build.schedule", "pause_windows", #"["Sat 11:00-13:00"]"#, setup: phaseAgent, gate),

        "schedule.timezone": changes(
            "schedule", "timezone", #""America/New_York""#,
            setup: [set("schedule", "run_windows", #"["Sat 11:00-13:00"]"#)], gate),
        "schedule.run_windows": changes("schedule", "run_windows", #"["Mon-Fri 08:00-20:00"]"#, gate),
        "schedule.pause_windows": changes(
            "schedule", "pause_windows", #"["Sat 11:00-13:00"]"#,
            setup: [set("schedule", "timezone", #""Europe/Berlin""#)], gate),

        "vcs.dirty_action": changes("vcs", "dirty_action", #""auto_commit""#) { config, _ in stopBudget(config) },
        "vcs.stash_idempotency_s": changes("vcs", "stash_idempotency_s", "30", defense("orphan_stash_idempotency_s")),

        "monitor.auth_fail_patterns": changes(
            "monitor", "auth_fail_patterns", #"["denied"]"#,
            field("TranscriptReview, PeekBuilder.recentRounds") { $0.monitor.authFailPatterns }),
        "monitor.auth_fail_hint": changes(
            "monitor", "auth_fail_hint", #""run claude /login""#, peek("config.auth_fail_hint")),
        "monitor.auto_stop_on": changes(
            "monitor", "auto_stop_on", "[]", field("AnomalyMonitor.poll") { $0.monitor.autoStopOn }),
        "monitor.remote_failure_tolerance_s": changes(
            "monitor", "remote_failure_tolerance_s", "10",
            field("RemoteMonitorCommand") { $0.monitor.remoteFailureToleranceS }),
        "monitor.anomaly_repetitive_window": changes(
            "monitor", "anomaly_repetitive_window", "30",
            field("TranscriptReview") { $0.monitor.anomalyRepetitiveWindow }),
        "monitor.anomaly_repetitive_threshold": changes(
            "monitor", "anomaly_repetitive_threshold", "15",
            field("TranscriptReview") { $0.monitor.anomalyRepetitiveThreshold }),
        "monitor.round_progress_interval_s": changes(
            "monitor", "round_progress_interval_s", "60",
            field("AgentWatch.progressIntervalS") { $0.monitor.roundProgressIntervalS }),
        "monitor.supervisor_stale_threshold_s": changes(
            "monitor", "supervisor_stale_threshold_s", "600", peek("config.supervisor_stale_threshold_s")),

        "monitor.host_health.disk.warning_pct": changes("monitor.host_health.disk", "warning_pct", "80", detectors),
        "monitor.host_health.disk.critical_pct": changes("monitor.host_health.disk", "critical_pct", "99", detectors),
        "monitor.host_health.disk.growth_window_s": changes(
            "monitor.host_health.disk", "growth_window_s", "600", detectors),
        "monitor.host_health.disk.disk_growth_pct_per_hr_warning": changes(
            "monitor.host_health.disk", "disk_growth_pct_per_hr_warning", "2", detectors),
        "monitor.host_health.disk.inode_growth_pct_per_hr_warning": changes(
            "monitor.host_health.disk", "inode_growth_pct_per_hr_warning", "2", detectors),
        "monitor.host_health.memory.avail_min_mb": changes("monitor.host_health.memory", "avail_min_mb", "100", memory),
        "monitor.host_health.memory.free_low_mb": changes("monitor.host_health.memory", "free_low_mb", "8", memory),
        "monitor.host_health.memory.swap_out_noise_floor_mb": changes(
            "monitor.host_health.memory", "swap_out_noise_floor_mb", "64", memory),
        "monitor.host_health.pressure.full_avg10_critical": changes(
            "monitor.host_health.pressure", "full_avg10_critical", "40", memory),
        "monitor.host_health.pressure.some_avg10_warning": changes(
            "monitor.host_health.pressure", "some_avg10_warning", "10", memory),
        "monitor.host_health.pressure.critical_consecutive_samples": changes(
            "monitor.host_health.pressure", "critical_consecutive_samples", "5", memory),
        "monitor.host_health.pressure.in_round_terminate": changes(
            "monitor.host_health.pressure", "in_round_terminate", "false", memory),
        "monitor.host_health.pressure.cgroup_growth_rate_warning_mb_per_min": changes(
            "monitor.host_health.pressure", "cgroup_growth_rate_warning_mb_per_min", "100", memory),
        "monitor.host_health.pressure.in_round_nudge": changes(
            "monitor.host_health.pressure", "in_round_nudge", "true", memory),
        "monitor.host_health.brake.memory_high": changes("monitor.host_health.brake", "memory_high", "true", memory),
        "monitor.host_health.brake.memory_high_step_pct": changes(
            "monitor.host_health.brake", "memory_high_step_pct", "10", memory),
        "monitor.host_health.brake.warning_consecutive_samples": changes(
            "monitor.host_health.brake", "warning_consecutive_samples", "2", memory),

        "plugins.disable": changes(
            "plugins", "disable", #"["lint"]"#, setup: [set("hooks", "post_round", #"[["lint"]]"#)]
        ) { config, _ in stopBudget(config) },
        "hooks.serve_startup": changes(
            "hooks", "serve_startup", #"[["./seed.sh"]]"#,
            field("Supervisor.runStartupHooks") { $0.hooks.serveStartup.map(\.argv) }),
        "hooks.pre_round": changes("hooks", "pre_round", #"[["./fetch.sh"]]"#) { config, _ in stopBudget(config) },
        "hooks.post_round": changes("hooks", "post_round", #"[["./report.sh"]]"#) { config, _ in stopBudget(config) },
        "hooks.ITEM.name": changes(
            "hooks", "post_round", #"[{ name = "report", command = ["./r.sh"] }]"#,
            setup: [set("hooks", "post_round", #"[{ command = ["./r.sh"] }]"#)],
            field("RoundHooks, hook_failed") { $0.hooks.postRound.map(\.name) }),
        "hooks.ITEM.command": changes(
            "hooks", "post_round", #"[{ command = ["./s.sh"] }]"#,
            setup: [set("hooks", "post_round", #"[{ command = ["./r.sh"] }]"#)],
            field("HookRunner") { $0.hooks.postRound.map(\.argv) }),
        "hooks.ITEM.timeout_s": changes(
            "hooks", "post_round", #"[{ command = ["./r.sh"], timeout_s = 5 }]"#,
            setup: [set("hooks", "post_round", #"[{ command = ["./r.sh"] }]"#)]
        ) { config, _ in stopBudget(config) },

        "upgrade.versions_dir": changes(
            "upgrade", "versions_dir", #""/opt/agent-runner""#, field("VersionStore") { $0.upgrade.versionsDir }),
        "upgrade.bin_link": changes(
            "upgrade", "bin_link", #""/usr/local/bin/agent-runner""#, field("VersionStore") { $0.upgrade.binLink }),
        "upgrade.keep_versions": changes(
            "upgrade", "keep_versions", "5", field("VersionStore.prune") { $0.upgrade.keepVersions }),
        "upgrade.smoke_timeout_s": changes(
            "upgrade", "smoke_timeout_s", "60", field("UpgradeSmoke") { $0.upgrade.smokeTimeoutS }),
        "upgrade.source": changes(
            "upgrade", "source", #""http://builds.lan/agent-runner-{version}-{arch}""#,
            field("ReleaseSource") { $0.upgrade.source?.text }),
        "upgrade.source_timeout_s": changes(
            "upgrade", "source_timeout_s", "60", field("ReleaseSource") { $0.upgrade.sourceTimeoutS }),
    ]
}

/// A project on disk for the key walk: prompt files and a log dir, and the base config every
/// proof edits.
final class Fixture {
    let root: String
    let now = EventTimestamp.parse("2026-11-21T11:00:00.000Z")!

    init(_ test: XCTestCase) throws {
        let made = NSTemporaryDirectory() + "key-walk-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: made + "/work/prompts", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: made + "/work/other", withIntermediateDirectories: true)
        root = URL(fileURLWithPath: made).resolvingSymlinksInPath().path
        test.addTeardownBlock { [root] in try? FileManager.default.removeItem(atPath: root) }
        try "Main prompt.\n".write(toFile: root + "/work/prompts/main.md", atomically: true, encoding: .utf8)
        try "Other prompt.\n".write(toFile: root + "/work/prompts/other.md", atomically: true, encoding: .utf8)
        try "---\ntitle: x\n---\nBody.\n".write(
            toFile: root + "/work/prompts/front.md", atomically: true, encoding: .utf8)
    }

    var base: [(table: String, entries: [(key: String, value: String)])] {
        [
            ("", [("schema_version", "1")]),
            ("agent", [("command", #"["claude"]"#), ("prompt_arg_template", #"["-p", "{prompt}"]"#)]),
            ("runtime", [("work_dir", "\"\(root)/work\""), ("log_dir", "\"\(root)/logs\"")]),
            ("prompt", [("file", #""prompts/main.md""#)]),
        ]
    }

    /// The base config with `edits` applied (later edits win), as TOML.
    func toml(_ edits: [ConfigKeyWalkTests.Edit]) -> String {
        var tables = base
        for edit in edits {
            var index = tables.firstIndex { $0.table == edit.table }
            if index == nil {
                tables.append((edit.table, []))
                index = tables.count - 1
            }
            tables[index!].entries.removeAll { $0.key == edit.key }
            if let value = edit.value { tables[index!].entries.append((edit.key, value)) }
        }
        return tables.map { table in
            (table.table.isEmpty ? "" : "[\(table.table)]\n")
                + table.entries.map { "\($0.key) = \($0.value)\n" }.joined()
        }.joined()
    }

    func load(_ edits: [ConfigKeyWalkTests.Edit]) throws -> AgentRunnerConfig {
        let loader = AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: root, currentDirectory: root + "/work"),
            fileSystem: LocalFileSystem(), zones: TestZones.Source())
        return try loader.parse(
            Array(toml(edits).utf8), configPath: root + "/work/agent-runner.toml", displayPath: "agent-runner.toml")
    }

    func service(_ config: AgentRunnerConfig) -> ServiceProbe {
        ServiceProbe(
            project: config.project, logDir: config.runtime.logDir, home: root, runner: PosixProcessRunner(),
            environment: [:], systemUnitDirectory: root + "/etc")
    }
}
