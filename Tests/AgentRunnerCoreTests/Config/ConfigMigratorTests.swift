import FleetCore
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// `agent-runner migrate` as a value: text in, report and text out. Every transform keeps the
/// comments and untouched lines; MANUAL items name file:line; a second run changes nothing.
final class ConfigMigratorTests: XCTestCase {
    /// A current config with comments, in which each test replaces one line.
    let base = """
        schema_version = 1
        # the project's agent
        [agent]
        command = ["claude", "--verbose"]  # keep verbose
        prompt_arg_template = ["-p", "{prompt}"]

        [runtime]
        work_dir = "."
        log_dir = "logs"
        # RUNTIME

        [prompt]
        file = "prompts/main.md"

        """

    func migrate(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> ConfigMigration {
        let loader = AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: "/home/op", currentDirectory: "/srv/demo"),
            fileSystem: MemoryFileSystem(directories: ["/srv/demo"]))
        return try ConfigMigrator(
            loader: loader, configPath: "/srv/demo/agent-runner.toml", displayPath: "agent-runner.toml"
        )
        .migrate(Array(text.utf8))
    }

    /// `base` with `# RUNTIME` replaced by `runtime` lines and `tail` appended.
    func config(runtime: String = "# RUNTIME", _ tail: String = "") -> String {
        base.replacingOccurrences(of: "# RUNTIME", with: runtime) + tail
    }

    /// Asserts `input` migrates to `expected` with these rewrite messages, loads, and that a second
    /// run on the result has nothing left to rewrite.
    func assertMigrates(
        _ input: String, to expected: String, rewrites: [String], file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let migration = try migrate(input)
        XCTAssertEqual(migration.migrated, expected, file: file, line: line)
        XCTAssertEqual(migration.rewrites.map(\.message), rewrites, file: file, line: line)
        XCTAssertEqual(migration.manual, [], file: file, line: line)
        let again = try migrate(migration.migrated)
        XCTAssertFalse(again.changesText, "idempotent", file: file, line: line)
        XCTAssertEqual(again.rewrites, [], file: file, line: line)
    }

    // MARK: Every transform, text to text

    func testRoundTimeoutBecomesRoundBudgetEverywhere() throws {
        try assertMigrates(
            config(
                runtime: "round_timeout_s = 900  # 15 min",
                "[phases]\nlist = [\"a\", \"b\"]\n[phases.a]\n"
                    + "round_timeout_s = 60\n[phases.b.runtime]\n\"round_timeout_s\" = 30\n"),
            to: config(
                runtime: "round_budget_s = 900  # 15 min",
                "[phases]\nlist = [\"a\", \"b\"]\n[phases.a]\n"
                    + "round_budget_s = 60\n[phases.b.runtime]\nround_budget_s = 30\n"),
            rewrites: [
                "runtime.round_timeout_s → runtime.round_budget_s",
                "phases.a.round_timeout_s → phases.a.round_budget_s",
                "phases.b.runtime.round_timeout_s → phases.b.runtime.round_budget_s",
            ])
    }

    func testRateLimitActionAndOrphanAction() throws {
        try assertMigrates(
            config(runtime: "rate_limit_action = \"stop\"", "[vcs]\norphan_action = \"ignore\" # why\n"),
            to: config(runtime: "transient_error_action = \"stop\"", "[vcs]\ndirty_action = \"ignore\" # why\n"),
            rewrites: [
                "runtime.rate_limit_action → runtime.transient_error_action", "vcs.orphan_action → vcs.dirty_action",
            ])
    }

    func testPreRoundSwitchWithNothingToSkipIsDeleted() throws {
        try assertMigrates(
            config(
                runtime: "disable_pre_round_hooks = false",
                "[phases]\nlist = [\"a\", \"b\"]\n[phases.a]\n"
                    + "# no hooks in a\ndisable_pre_round_hooks = true\n"
                    + "[phases.b.runtime]\ndisable_pre_round_hooks = true\n"
            ),
            to: config(
                runtime: "", "[phases]\nlist = [\"a\", \"b\"]\n[phases.a]\n# no hooks in a\n[phases.b.runtime]\n"
            )
            .replacingOccurrences(of: "log_dir = \"logs\"\n\n", with: "log_dir = \"logs\"\n"),
            rewrites: [
                "runtime.disable_pre_round_hooks removed (it restated the default; the original 0.3.9 dropped the key)",
                "phases.a.disable_pre_round_hooks removed (there is no [hooks] pre_round command to skip; the original "
                    + "0.3.9 dropped the key)",
                "phases.b.runtime.disable_pre_round_hooks removed (there is no [hooks] pre_round command to skip; the "
                    + "original 0.3.9 dropped the key)",
            ])
    }

    func testDroppedPluginKeysGoWithTheirTablesAndMultiLineValues() throws {
        try assertMigrates(
            config(
                "[plugins]\ndisable = []\nsandbox = [\"a\", # first\n  \"b\"]\nspawn_override_allow = true\n"
                    + "[plugins.pin]\nclaude = \"sha256:00\"\n[plugins.pin.extra]\n"
                    + "x = 1\n# after\n[vcs]\ndirty_action = \"stash\"\n"
            ),
            to: config("[plugins]\ndisable = []\n# after\n[vcs]\ndirty_action = \"stash\"\n"),
            rewrites: [
                "plugins.sandbox removed (the original 0.3.9 dropped its plugin sandbox; never used here)",
                "plugins.spawn_override_allow removed (the original 0.3.9 dropped its plugin sandbox; never used here)",
                "[plugins.pin] removed (the original 0.3.9 dropped its plugin sandbox; never used here)",
            ])
    }

    func testSingleWordStringsBecomeLists() throws {
        let input =
            base.replacingOccurrences(of: "command = [\"claude\", \"--verbose\"]", with: "command = 'claude'")
            .replacingOccurrences(
                of: "prompt_arg_template = [\"-p\", \"{prompt}\"]", with: "prompt_arg_template = \"{prompt}\""
            )
            .replacingOccurrences(of: "file = \"prompts/main.md\"", with: "files = \"prompts/main.md\" # one")
            + "[monitor]\nauto_stop_on = \"oauth_fail\"\n[plugins]\ndisable = \"x\"\n[phases]\nlist = \"a\"\n"
            + "[phases.a.agent]\ncommand = \"aider\"\n"
            + "prompt_arg_template = \"{prompt}\"\n[phases.a.prompt]\nfiles = \"p.md\"\n"
        let expected =
            base.replacingOccurrences(of: "command = [\"claude\", \"--verbose\"]", with: "command = ['claude']")
            .replacingOccurrences(
                of: "prompt_arg_template = [\"-p\", \"{prompt}\"]", with: "prompt_arg_template = [\"{prompt}\"]"
            )
            .replacingOccurrences(of: "file = \"prompts/main.md\"", with: "files = [\"prompts/main.md\"] # one")
            + "[monitor]\nauto_stop_on = [\"oauth_fail\"]\n[plugins]\ndisable = [\"x\"]\n[phases]\nlist = [\"a\"]\n"
            + "[phases.a.agent]\ncommand = [\"aider\"]\n"
            + "prompt_arg_template = [\"{prompt}\"]\n[phases.a.prompt]\nfiles = [\"p.md\"]\n"
        try assertMigrates(
            input, to: expected,
            rewrites: [
                "agent.command 'claude' → ['claude']", "agent.prompt_arg_template \"{prompt}\" → [\"{prompt}\"]",
                "phases.list \"a\" → [\"a\"]", "prompt.files \"prompts/main.md\" → [\"prompts/main.md\"]",
                "monitor.auto_stop_on \"oauth_fail\" → [\"oauth_fail\"]", "plugins.disable \"x\" → [\"x\"]",
                "phases.a.agent.command \"aider\" → [\"aider\"]",
                "phases.a.agent.prompt_arg_template \"{prompt}\" → [\"{prompt}\"]",
                "phases.a.prompt.files \"p.md\" → [\"p.md\"]",
            ])
    }

    func testFlatHostHealthKeysMoveIntoTheirSubTables() throws {
        // In place as dotted keys, or into the sub-table's own section when it has a header.
        try assertMigrates(
            config(
                "[monitor.host_health]\n# headroom\nmem_avail_min_mb = 300\ndisk_warning_pct = 85 # ssd\n"
                    + "psi_some_avg10_warning = 7.5\n[monitor.host_health.disk]\ncritical_pct = 97\n\n[vcs]\n"),
            to: config(
                "[monitor.host_health]\n# headroom\nmemory.avail_min_mb = 300\n"
                    + "pressure.some_avg10_warning = 7.5\n[monitor.host_health.disk]\n"
                    + "critical_pct = 97\nwarning_pct = 85 # ssd\n"
                    + "\n[vcs]\n"),
            rewrites: [
                "monitor.host_health.mem_avail_min_mb → monitor.host_health.memory.avail_min_mb",
                "monitor.host_health.disk_warning_pct → monitor.host_health.disk.warning_pct",
                "monitor.host_health.psi_some_avg10_warning → monitor.host_health.pressure.some_avg10_warning",
            ])
        try assertMigrates(
            config("[monitor]\nhost_health.swap_sout_noise_floor_mb = 64\n"),
            to: config("[monitor]\nhost_health.memory.swap_out_noise_floor_mb = 64\n"),
            rewrites: [
                "monitor.host_health.swap_sout_noise_floor_mb → monitor.host_health.memory.swap_out_noise_floor_mb"
            ])
    }

    func testAllNineFlatKeysInOneTable() throws {
        let values = ["300", "70", "96", "64", "8", "50", "7.5", "4", "false"]  // in the registry's order
        let relocations = ConfigSpellings.hostHealthRelocations
        let input = zip(relocations, values).map { "\($0.old) = \($1)" }.joined(separator: "\n")
        let output = zip(relocations, values).map { "\($0.target) = \($1)" }.joined(separator: "\n")
        try assertMigrates(
            config("[monitor.host_health]\n" + input + "\n"), to: config("[monitor.host_health]\n" + output + "\n"),
            rewrites: relocations.map { "monitor.host_health.\($0.old) → monitor.host_health.\($0.target)" })
    }

    func testSchemaVersionIsStampedOrSet() throws {
        let unversioned = base.replacingOccurrences(of: "schema_version = 1\n", with: "")
        try assertMigrates(unversioned, to: base, rewrites: ["stamped schema_version = 1"])
        try assertMigrates(
            base.replacingOccurrences(of: "schema_version = 1", with: "schema_version = 0 # old"),
            to: base.replacingOccurrences(of: "schema_version = 1", with: "schema_version = 1 # old"),
            rewrites: ["schema_version 0 → 1"])
    }

    func testWindowsLineBreaksStayWindowsLineBreaks() throws {
        let input = config(runtime: "round_timeout_s = 60").replacingOccurrences(of: "schema_version = 1\n", with: "")
            .replacingOccurrences(of: "\n", with: "\r\n")
        let migration = try migrate(input)
        XCTAssertEqual(
            migration.migrated, config(runtime: "round_budget_s = 60").replacingOccurrences(of: "\n", with: "\r\n"))
    }

    // MARK: The spec's 0.2.x sample and the original's own files

    func testTheSpecSampleMeansWhatTheOriginalsMigrateMadeOfIt() throws {
        let sample = try OriginalFixtures.sample02x()
        let migration = try migrate(sample)
        let ours = try TOML.parse(migration.migrated)
        let original = try TOML.parse(try OriginalFixtures.sample02xMigratedByOriginal())
        XCTAssertEqual(ours, original, "key by key, the same document")
        XCTAssertEqual(migration.rewrites.map(\.line).sorted(), [1, 18, 38, 39, 42, 43])
        XCTAssertEqual(
            migration.reportLines(written: false).filter { $0.contains("MANUAL") },
            [
                "  MANUAL:  agent-runner.toml:46: plugins.disable: "
                    + "'claude_rate_limit' is an old name of the original's "
                    + "'claude' plugin; no plugin has either name here, "
                    + "so it disables nothing: delete it (or write 'claude' "
                    + "for hosts still on the original, which disables all of that plugin)"
            ])
        XCTAssertEqual(migration.notes.map(\.key), ["phases.dev.round_budget_s"])
        // Only the six rewritten lines change; the comment and every other line stay as they were.
        let diff = LineDiff.operations(LineDiff.lines(sample), LineDiff.lines(migration.migrated))
        let removed = diff.compactMap { if case .removed(let line) = $0 { return line + 1 } else { return nil } }
        XCTAssertEqual(removed, [18, 38, 39, 42, 43])
        XCTAssertTrue(
            migration.migrated.contains("# agent-runner.toml — generated by `agent-runner init --preset claude`.\n"))
        let again = try migrate(migration.migrated)
        XCTAssertFalse(again.changesText)
        XCTAssertEqual(again.manual.map(\.line), [46], "the MANUAL item stays until the operator edits it")
    }

    func testEveryInitOutputOfTheOriginalHasNothingToMigrate() throws {
        for preset in OriginalFixtures.presets {
            let migration = try migrate(try OriginalFixtures.initConfig(preset))
            XCTAssertFalse(migration.changesText, preset)
            XCTAssertEqual(migration.items, [], preset)
        }
    }

    func testOurOldInitOutputMigratesToWhatTheOriginalWrote() throws {
        let migration = try migrate(try OriginalFixtures.text("migrate/ours-claude-input.toml"))
        XCTAssertEqual(
            migration.migrated, try OriginalFixtures.text("migrate/ours-claude-migrated.toml"), "byte for byte")
        XCTAssertEqual(
            migration.reportLines(written: false),
            ["  rewrite: agent-runner.toml:18: runtime.round_timeout_s → runtime.round_budget_s"])
    }

    // MARK: Left to the operator

    func testManualItemsNameFileLineAndKeyAndChangeNothingThere() throws {
        let hooks = "[hooks]\npre_round = [{ name = \"seed\", command = [\"./seed.sh\"] }]\n"
        let input =
            base.replacingOccurrences(of: "command = [\"claude\", \"--verbose\"]", with: "command = \"claude -p\"")
            .replacingOccurrences(
                of: "# RUNTIME",
                with: "round_timeout_s = 60\nround_budget_s = 90\n"
                    + "round_timeout_per_phase = { a = 1 }\ndisable_pre_round_hooks = true\nmax_round = 3")
            + "[monitor]\nhost_health = { mem_avail_min_mb = 1 }\nanomaly_window = 3\n[plugins]\n"
            + "disable = [\"claude_error_detector\"]\n" + hooks
            + "[phases]\nlist = [\"a\"]\n[phases.a.agent]\ncommand = []\n"
        let migration = try migrate(input)
        XCTAssertFalse(migration.changesText, "no MANUAL item is rewritten")
        XCTAssertEqual(
            migration.manual.map { "\($0.line) \($0.key)" },
            [
                "10 runtime.round_timeout_s", "13 runtime.disable_pre_round_hooks", "4 agent.command",
                "19 monitor.host_health.mem_avail_min_mb", "12 runtime.round_timeout_per_phase", "22 plugins.disable",
                "28 phases.a.agent.command", "14 runtime.max_round", "20 monitor.anomaly_window",
            ])
        let messages = Dictionary(migration.manual.map { ($0.key, $0.message) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(
            messages["runtime.round_timeout_s"],
            "is the old name of runtime.round_budget_s, which is set too (line 11); delete one of the two")
        XCTAssertTrue(messages["runtime.disable_pre_round_hooks"]?.contains("[\"seed\"]") == true)
        XCTAssertTrue(
            messages["runtime.max_round"]?.hasPrefix("unknown key in [runtime]; did you mean 'max_rounds'?") == true)
        XCTAssertTrue(messages["agent.command"]?.contains("quoted string with spaces") == true)
        XCTAssertTrue(
            migration.reportLines(written: false).contains(
                "  MANUAL:  agent-runner.toml:12: runtime.round_timeout_per_phase: removed in the original 0.1.16; set "
                    + "[phases.NAME] round_budget_s = N for each phase, then delete this line"))
    }

    func testConflictsWithTheNewSpellingAreManual() throws {
        let migration = try migrate(
            config(
                "[monitor.host_health]\nmem_avail_min_mb = 1\n[monitor.host_health.memory]\n"
                    + "avail_min_mb = 2\n[vcs]\norphan_action = \"stash\"\ndirty_action = \"stash\"\n"))
        XCTAssertEqual(
            migration.manual.map { "\($0.line) \($0.key)" },
            ["19 vcs.orphan_action", "15 monitor.host_health.mem_avail_min_mb"])
        XCTAssertEqual(
            try migrate(base.replacingOccurrences(of: "= 1", with: "= 2")).manual.map(\.message),
            ["2 is newer than this agent-runner supports (max 1); upgrade agent-runner instead"])
    }

    func testWhatOnlyTheLoaderCatchesIsTheLastManualItem() throws {
        let input = config(runtime: "round_timeout_s = 60").replacingOccurrences(of: "schema_version = 1\n", with: "")
            .replacingOccurrences(
                of: "[\"-p\", \"{prompt}\"]\n", with: "[\"-p\", \"{prompt}\"]\nprompt_delivery = \"pipe\"\n")
        let migration = try migrate(input)
        XCTAssertEqual(migration.rewrites.count, 2, "the safe rewrites are still planned")
        XCTAssertEqual(
            migration.manual.map { "\($0.line)/\($0.migratedLine) \($0.key)" }, ["5/6 agent.prompt_delivery"])
        XCTAssertEqual(
            migration.reportLines(written: true).last,
            "  MANUAL:  agent-runner.toml:6: agent.prompt_delivery: 'pipe' is not one of 'argv', 'stdin'")
        XCTAssertEqual(migration.reportLines(written: false).last?.hasPrefix("  MANUAL:  agent-runner.toml:5: "), true)
    }

    func testInvalidTOMLIsAConfigErrorWithItsLine() {
        XCTAssertThrowsError(try migrate(base + "[agent]\n")) { error in
            let failure = error as? MigrationError
            XCTAssertEqual(failure?.exitCode, ExitCode.config)
            XCTAssertTrue(
                failure?.message.hasPrefix("config error: agent-runner.toml:14: invalid TOML") == true, "\(error)")
        }
    }

    // MARK: Output

    func testDiffAndJSON() throws {
        let migration = try migrate(config(runtime: "round_timeout_s = 60"))
        let expected = [
            "--- agent-runner.toml", "+++ agent-runner.toml (migrated)", "@@ -7,7 +7,7 @@", " [runtime]",
            " work_dir = \".\"", " log_dir = \"logs\"", "-round_timeout_s = 60", "+round_budget_s = 60", " ",
            " [prompt]", " file = \"prompts/main.md\"",
        ]
        XCTAssertEqual(migration.diff, expected.joined(separator: "\n") + "\n")
        let json = migration.json(dryRun: true, written: false, backup: nil)
        XCTAssertEqual(json["changed"], .bool(true))
        XCTAssertEqual(json["backup"], .null)
        XCTAssertEqual(json["rewrites"]?[0]?["line"], .int(10))
        XCTAssertEqual(json["rewrites"]?[0]?["key"], .string("runtime.round_timeout_s"))
        XCTAssertEqual(json["diff"], .string(migration.diff))
        XCTAssertEqual(try migrate(base).diff, "")
    }

    func testMeaningModel() throws {
        var meaning = TOMLMeaning(try TOML.parse("a = 1\n[t]\nx = \"s\"\n[t.u]\ny = 2\n"))
        meaning.apply(.move(["t", "u"], ["v"]))
        meaning.apply(.wrapInArray(["t", "x"]))
        meaning.apply(.remove(["a"]))
        meaning.apply(.set(["b"], .integer(3)))
        XCTAssertEqual(meaning, TOMLMeaning(try TOML.parse("b = 3\n[t]\nx = [\"s\"]\n[v]\ny = 2\n")))
    }
}
