import FleetCore
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// Old spellings load with their meaning and say so (file:line:key, `agent-runner migrate`); a
/// key that would do nothing here is refused; the original's own `init` output loads as is.
final class ConfigSpellingsTests: XCTestCase {
    let minimal = """
        schema_version = 1
        [agent]
        command = ["claude", "--verbose"]
        prompt_arg_template = ["-p", "{prompt}"]
        [runtime]
        work_dir = "."
        log_dir = "logs"
        [prompt]
        file = "prompts/main.md"

        """

    let configs = InMemoryConfig()

    func load(_ text: String) throws -> AgentRunnerConfig { try configs.load(text) }

    func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        configs.error(text, file: file, line: line)
    }

    func testEveryInitOutputOfTheOriginalLoadsWithoutWarnings() throws {
        for preset in OriginalFixtures.presets {
            let config = try load(try OriginalFixtures.initConfig(preset))
            XCTAssertEqual(config.warnings, [], preset)
            XCTAssertEqual(config.runtime.roundTimeoutS, 1800, preset)
            XCTAssertEqual(config.agent.name, preset, preset)
            let ours = try XCTUnwrap(AgentPreset.named(preset))
            // Same program; aider's preset adds flags that bound its own retries and keep it
            // offline (docs/agents.md), and spells analytics off with its current flag.
            XCTAssertEqual(
                config.agent.command.first, ours.command.first, "\(preset): our preset runs the same program")
            if preset == "aider" {
                let bounded = ["--no-check-update", "--no-analytics", "--timeout", "--model-settings-file"]
                XCTAssertTrue(bounded.allSatisfy(ours.command.contains), "aider's preset bounds it: \(ours.command)")
                XCTAssertEqual(Set(config.agent.command).subtracting(ours.command), ["--analytics-disable"], preset)
            } else {
                XCTAssertEqual(config.agent.command, ours.command, "\(preset): our preset runs the same command")
            }
            XCTAssertEqual(config.agent.promptArgTemplate, ours.promptArgTemplate, preset)
            XCTAssertEqual(config.agent.promptDelivery.rawValue, ours.promptDelivery, preset)
        }
    }

    func testOurInitOutputHasNoOldSpelling() throws {
        for preset in AgentPreset.all {
            let text = ProjectScaffold.config(preset: preset, project: "demo")
            XCTAssertEqual(try load(text).warnings, [], preset.name)
            XCTAssertTrue(text.contains("\nround_budget_s = 1800\n"), preset.name)
        }
    }

    func testTheSpecSample02xNamesItsOnlyKeyWithoutEffectAndMigrate() throws {
        let sample = try OriginalFixtures.sample02x()
        let refused = try XCTUnwrap(error(sample))
        XCTAssertEqual(refused.line, 39)
        XCTAssertEqual(refused.key, "phases.dev.disable_pre_round_hooks")
        XCTAssertTrue(refused.message.contains("no [hooks] pre_round commands to skip"), refused.message)
        XCTAssertTrue(refused.message.contains("`agent-runner migrate`"), refused.message)

        let config = try load(sample.replacingOccurrences(of: "disable_pre_round_hooks = true\n", with: ""))
        XCTAssertEqual(config.schemaVersion, 1)
        XCTAssertEqual(config.runtime.roundTimeoutS, 1800)
        XCTAssertEqual(config.roundTimeout(forPhase: "dev"), 3600)
        XCTAssertEqual(config.roundTimeout(forPhase: "review"), 1800)
        XCTAssertEqual(config.monitor.hostHealth.memoryAvailMinMB, 300)
        XCTAssertEqual(config.monitor.hostHealth.diskWarningPct, 85)
        XCTAssertEqual(config.runtime.roundLogRetention, 50)
        XCTAssertEqual(
            config.warnings.map { "\($0.line) \($0.key)" },
            [
                "1 schema_version", "18 runtime.round_timeout_s", "38 phases.dev.round_timeout_s",
                "41 monitor.host_health.mem_avail_min_mb", "42 monitor.host_health.disk_warning_pct",
                "45 plugins.disable",
            ])
        XCTAssertEqual(
            config.warnings[1].description,
            "agent-runner.toml:18: runtime.round_timeout_s: the 0.2.x name of runtime.round_budget_s "
                + "(read as it; the original 0.3 refuses it); run `agent-runner migrate`")
        XCTAssertTrue(
            config.warnings[5].message.contains("'claude_rate_limit' is a plugin of the original"),
            config.warnings[5].message)
        XCTAssertEqual(config.effective().json().value(at: "monitor.host_health.memory.avail_min_mb"), .int(300))
        XCTAssertEqual(config.origins["monitor.host_health.memory.avail_min_mb"], .file("agent-runner.toml", line: 41))
    }

    func testEveryFlatHostHealthKeyMeansItsSubTableKey() throws {
        let values = [
            "disk.warning_pct": "70", "disk.critical_pct": "96", "memory.avail_min_mb": "300",
            "memory.swap_out_noise_floor_mb": "64", "memory.free_low_mb": "8", "pressure.full_avg10_critical": "50",
            "pressure.some_avg10_warning": "7.5", "pressure.critical_consecutive_samples": "4",
            "pressure.in_round_terminate": "false",
        ]
        XCTAssertEqual(ConfigSpellings.hostHealthRelocations.count, 9)
        for relocation in ConfigSpellings.hostHealthRelocations {
            let value = try XCTUnwrap(values[relocation.target], relocation.target)
            let flat = try load(minimal + "[monitor.host_health]\n\(relocation.old) = \(value)\n")
            let nested = try load(minimal + "[monitor.host_health.\(relocation.table)]\n\(relocation.key) = \(value)\n")
            XCTAssertEqual(flat.monitor.hostHealth, nested.monitor.hostHealth, relocation.old)
            XCTAssertNotEqual(
                flat.monitor.hostHealth, AgentRunnerConfig.HostHealth(), "\(relocation.old) changes a value")
            XCTAssertEqual(flat.warnings.map(\.key), ["monitor.host_health.\(relocation.old)"])
            XCTAssertEqual(nested.warnings, [])
        }
        let both = try XCTUnwrap(
            error(
                minimal
                    + "[monitor.host_health]\nmem_avail_min_mb = 1\n[monitor.host_health.memory]\navail_min_mb = 2\n"))
        XCTAssertEqual(
            both.description,
            "config error: agent-runner.toml:11: monitor.host_health.mem_avail_min_mb: is the 0.2.x "
                + "name of monitor.host_health.memory.avail_min_mb, which is set too; delete this line")
        XCTAssertEqual(
            error(minimal + "[monitor.host_health]\nmem_free_low_mb = 0\n")?.message,
            "must be a positive integer, got 0")
        XCTAssertEqual(
            error(minimal + "[monitor.host_health]\ndisk_warning_pct = 97\n")?.key,
            "monitor.host_health.disk_warning_pct")
        XCTAssertEqual(
            error(minimal + "[monitor]\nhost_health = { mem_avail_min_mb = -1 }\n")?.key,
            "monitor.host_health.mem_avail_min_mb")
    }

    func testPreRoundSwitchLoadsOnlyWhereItSkipsHooks() throws {
        let hooks = "[hooks]\npre_round = [[\"./seed.sh\"]]\n"
        let phases = "[phases]\nlist = [\"dev\", \"review\"]\n[phases.dev]\ndisable_pre_round_hooks = true\n"
        let perPhase = try load(minimal + hooks + phases)
        XCTAssertTrue(perPhase.preRoundHooksDisabled(forPhase: "dev"))
        XCTAssertFalse(perPhase.preRoundHooksDisabled(forPhase: "review"))
        XCTAssertEqual(perPhase.warnings.map(\.key), ["phases.dev.disable_pre_round_hooks"])
        XCTAssertTrue(perPhase.warnings[0].message.contains("skips the [hooks] pre_round commands [\"seed.sh\"]"))

        let nested = try load(
            minimal + hooks + "[phases]\nlist = [\"dev\"]\n[phases.dev.runtime]\ndisable_pre_round_hooks = true\n")
        XCTAssertTrue(nested.preRoundHooksDisabled(forPhase: "dev"))

        let runtime = try load(
            minimal.replacingOccurrences(of: "[prompt]", with: "disable_pre_round_hooks = true\n[prompt]") + hooks)
        XCTAssertTrue(runtime.preRoundHooksDisabled(forPhase: nil))
        XCTAssertEqual(runtime.warnings.map(\.line), [8])

        let noHooks = try XCTUnwrap(
            error(minimal.replacingOccurrences(of: "[prompt]", with: "disable_pre_round_hooks = true\n[prompt]")))
        XCTAssertEqual(noHooks.key, "runtime.disable_pre_round_hooks")
        XCTAssertEqual(noHooks.line, 8)
        let switchedOff = error(minimal + hooks + "[plugins]\ndisable = [\"seed.sh\"]\n" + phases)
        XCTAssertEqual(switchedOff?.key, "phases.dev.disable_pre_round_hooks", "a disabled hook is nothing to skip")

        let restatesDefault = try load(minimal + phases.replacingOccurrences(of: "= true", with: "= false"))
        XCTAssertFalse(restatesDefault.preRoundHooksDisabled(forPhase: "dev"))
        XCTAssertEqual(restatesDefault.warnings.map(\.key), ["phases.dev.disable_pre_round_hooks"])
        XCTAssertEqual(
            error(minimal + hooks + phases + "[phases.dev.runtime]\ndisable_pre_round_hooks = false\n")?.key,
            "phases.dev.runtime.disable_pre_round_hooks")
    }

    func testRenamedKeysWarnWithTheirLine() throws {
        let config = try load(
            minimal.replacingOccurrences(
                of: "[prompt]", with: "round_timeout_s = 60\nrate_limit_action = \"skip\"\n[prompt]")
                + "[phases]\nlist = [\"a\"]\n[phases.a]\nround_timeout_s = 30\n")
        XCTAssertEqual(config.runtime.roundTimeoutS, 60)
        XCTAssertEqual(config.runtime.transientErrorAction, .skip)
        XCTAssertEqual(config.roundTimeout(forPhase: "a"), 30)
        XCTAssertEqual(
            config.warnings.map { "\($0.line) \($0.key)" },
            ["8 runtime.round_timeout_s", "9 runtime.rate_limit_action", "15 phases.a.round_timeout_s"])
        XCTAssertTrue(config.warnings.allSatisfy { $0.fix == "run `agent-runner migrate`" })
        let unversioned = try load(minimal.replacingOccurrences(of: "schema_version = 1\n", with: ""))
        XCTAssertEqual(
            unversioned.warnings.map(\.description),
            [
                "agent-runner.toml:1: schema_version: missing, as in 0.2.x files (read as 1; the original 0.3 "
                    + "refuses a file without it); run `agent-runner migrate`"
            ])
        XCTAssertEqual(try load(minimal).warnings, [])
    }

    func testDisabledNamesThatAreNoHookWarn() throws {
        let config = try load(
            minimal + "[hooks]\npost_round = [[\"./report.sh\"]]\n[plugins]\ndisable = [\"report.sh\", \"reprot.sh\"]\n"
        )
        XCTAssertEqual(
            config.warnings.map(\.description),
            [
                "agent-runner.toml:13: plugins.disable: 'reprot.sh' names no [hooks] command, so it disables nothing; "
                    + "fix the name or delete it"
            ])
    }

    /// A mistyped detector in auto_stop_on would silently never stop anything: a warning names
    /// the nearest detector.
    func testAutoStopOnNamesThatAreNoDetectorWarn() throws {
        let config = try load(minimal + "[monitor]\nauto_stop_on = [\"oauth_fail\", \"disk_critcal\"]\n")
        XCTAssertEqual(config.warnings.count, 1)
        XCTAssertTrue(
            config.warnings.first?.description.hasPrefix(
                "agent-runner.toml:11: monitor.auto_stop_on: 'disk_critcal' is not a detector; did you mean "
                    + "'disk_critical'? (known: ") ?? false, "\(config.warnings)")
        XCTAssertTrue(
            config.warnings.first?.description.hasSuffix(", so it stops nothing; fix the name or delete it") ?? false)
        XCTAssertEqual(try load(minimal + "[monitor]\nauto_stop_on = [\"hung\"]\n").warnings, [])
    }

    func testRemovedKeysNameMigrate() {
        for (table, key) in [("plugins", "sandbox"), ("plugins", "pin"), ("vcs", "orphan_action")] {
            let message = error(minimal + "[\(table)]\n\(key) = \"x\"\n")?.message ?? ""
            XCTAssertTrue(message.contains("run `agent-runner migrate`"), message)
        }
    }
}
