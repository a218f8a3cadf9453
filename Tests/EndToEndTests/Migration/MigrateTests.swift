import FleetCore
import Foundation
import XCTest

/// `agent-runner migrate` on real files, and both tools loading what each one's `init` and our
/// `migrate` wrote: ours (`config`) and the real original 0.3.14 (`peek --json`).
final class MigrateTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/original").path

    func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: Self.fixtures + "/" + name, encoding: .utf8)
    }

    func configText(_ host: LifecycleHost) throws -> String {
        try String(contentsOfFile: host.project + "/agent-runner.toml", encoding: .utf8)
    }

    /// Both tools load the project's config: ours with `config`, the original with `peek --json`.
    func assertBothLoad(
        _ host: LifecycleHost, _ label: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let ours = try host.run(["config", "--no-check"])
        XCTAssertEqual(ours.code, 0, "\(label): ours: \(ours.stderr)", file: file, line: line)
        let original = try OriginalTool.run(
            ["peek", "--json", "--config", host.project + "/agent-runner.toml"], host: host)
        XCTAssertEqual(original.code, 0, "\(label): the original: \(original.stderr)", file: file, line: line)
        XCTAssertEqual(
            try JSONParser.strict.parse(original.stdout)["schema_version"], .string("2.6"), file: file, line: line)
    }

    func testOurInitOutputLoadsInTheOriginal() throws {
        let host = try LifecycleHost(self)
        for preset in ["aider", "claude", "codewhale", "gemini", "kimi", "pi"] {
            let initialized = try host.run(["init", "--preset", preset, "--force", "--no-commit"])
            XCTAssertEqual(initialized.code, 0, initialized.stderr)
            XCTAssertFalse(try configText(host).contains("round_timeout_s"), preset)
            try assertBothLoad(host, preset)
            XCTAssertFalse(
                try host.run(["config", "--no-check"]).stderr.contains("warning"), "\(preset): no old spelling")
        }
    }

    func testTheOriginalsInitOutputNeedsNoMigrationAndLoadsInBoth() throws {
        let host = try LifecycleHost(self)
        for preset in ["aider", "claude", "codewhale", "gemini", "kimi", "pi"] {
            try Harness.write(try fixture("init-\(preset).toml"), to: host.project + "/agent-runner.toml")
            let migrate = try host.run(["migrate"])
            XCTAssertEqual(migrate.code, 0, migrate.stderr)
            XCTAssertEqual(migrate.stdout, "agent-runner.toml: nothing to migrate\n", preset)
            XCTAssertEqual(try configText(host), try fixture("init-\(preset).toml"), preset)
            XCTAssertFalse(FileManager.default.fileExists(atPath: host.project + "/agent-runner.toml.bak"), preset)
            try assertBothLoad(host, preset)
        }
    }

    /// The spec's 0.2.x sample: refused by the original, loaded by ours only after migrate (its
    /// `phases.dev.disable_pre_round_hooks` has nothing to skip here); after migrate both load it,
    /// it means what the original's own migrate made of it, and a second run rewrites nothing.
    func testTheSpecSample02xMigratesToAFileBothToolsLoad() throws {
        let host = try LifecycleHost(self)
        let sample = try fixture("migrate/migrate-0.2.x-input.toml")
        try Harness.write(sample, to: host.project + "/agent-runner.toml")
        let refused = try host.run(["config", "--no-check"])
        XCTAssertEqual(refused.code, ExitCode.config)
        XCTAssertTrue(
            refused.stderr.contains("agent-runner.toml:39: phases.dev.disable_pre_round_hooks: has no effect here"),
            refused.stderr)
        XCTAssertTrue(refused.stderr.contains("run `agent-runner migrate`"), refused.stderr)
        XCTAssertEqual(
            try OriginalTool.run(["peek", "--json"], host: host).code, ExitCode.config, "the original refuses it")

        let dryRun = try host.run(["migrate", "--dry-run"])
        XCTAssertEqual(dryRun.code, ExitCode.config, dryRun.stderr)
        XCTAssertEqual(dryRun.stdout.components(separatedBy: "  rewrite: ").count - 1, 6, dryRun.stdout)
        XCTAssertTrue(
            dryRun.stdout.contains("  MANUAL:  agent-runner.toml:46: plugins.disable: 'claude_rate_limit'"),
            dryRun.stdout)
        XCTAssertTrue(dryRun.stdout.contains("-round_timeout_s = 1800\n+round_budget_s = 1800\n"), dryRun.stdout)
        XCTAssertTrue(dryRun.stdout.hasSuffix("(dry-run — no changes written)\n"), dryRun.stdout)
        XCTAssertTrue(dryRun.stderr.contains("1 item needs a hand edit"), dryRun.stderr)
        XCTAssertEqual(try configText(host), sample, "--dry-run writes nothing")

        let migrate = try host.run(["migrate"])
        XCTAssertEqual(migrate.code, ExitCode.config, "a MANUAL item remains: \(migrate.stderr)")
        XCTAssertTrue(
            migrate.stdout.contains("wrote agent-runner.toml (backup: agent-runner.toml.bak)\n"), migrate.stdout)
        XCTAssertEqual(try String(contentsOfFile: host.project + "/agent-runner.toml.bak", encoding: .utf8), sample)
        let migrated = try configText(host)
        XCTAssertEqual(
            try TOML.parse(migrated), try TOML.parse(try fixture("migrate/migrate-0.2.x-output.toml")),
            "key by key what the original's migrate wrote")
        XCTAssertTrue(migrated.hasPrefix("schema_version = 1\n# agent-runner.toml — generated by"), migrated)
        try assertBothLoad(host, "migrated 0.2.x sample")
        let warnings = try host.run(["config", "--no-check"]).stderr
        XCTAssertEqual(warnings.components(separatedBy: "agent-runner: warning: ").count - 1, 1, warnings)
        XCTAssertTrue(warnings.contains("agent-runner.toml:46: plugins.disable: 'claude_rate_limit'"), warnings)

        // What the original's own migrate says of our result: nothing left to rewrite.
        let theirs = try OriginalTool.run(["migrate", "--dry-run"], host: host)
        XCTAssertFalse(theirs.stdout.contains("rewrite:"), theirs.stdout)
        XCTAssertTrue(
            theirs.stdout.contains("MANUAL:  [plugins] disable names a plugin renamed in 0.3.9"), theirs.stdout)

        let again = try host.run(["migrate"])
        XCTAssertEqual(again.code, ExitCode.config)
        XCTAssertFalse(again.stdout.contains("rewrite:"), again.stdout)
        XCTAssertEqual(try configText(host), migrated, "idempotent")
        XCTAssertFalse(FileManager.default.fileExists(atPath: host.project + "/agent-runner.toml.bak.2"))

        try Harness.write(
            migrated.replacingOccurrences(of: "disable = [\"claude_rate_limit\"]", with: "disable = []"),
            to: host.project + "/agent-runner.toml")
        let clean = try host.run(["migrate"])
        XCTAssertEqual(clean.code, 0, clean.stderr)
        XCTAssertTrue(clean.stdout.hasPrefix("agent-runner.toml: nothing to migrate\n"), clean.stdout)
        XCTAssertEqual(try host.run(["config", "--no-check"]).stderr, "")
    }

    /// What our `init` wrote before this release (`round_timeout_s`): migrate makes exactly the
    /// file the original's migrate made of it, and keeps the old one as a backup generation.
    func testOurOldInitOutputMigratesLikeTheOriginalsMigrate() throws {
        let host = try LifecycleHost(self)
        let old = try fixture("migrate/ours-claude-input.toml")
        try Harness.write(old, to: host.project + "/agent-runner.toml")
        try Harness.write("an older backup\n", to: host.project + "/agent-runner.toml.bak")
        let original = try OriginalTool.run(["peek", "--json"], host: host)
        XCTAssertEqual(original.code, ExitCode.config, "the original refuses round_timeout_s")

        let json = try host.run(["migrate", "--json", "--dry-run"])
        XCTAssertEqual(json.code, 0, json.stderr)
        let report = try JSONParser.strict.parse(json.stdout)
        XCTAssertEqual(report["changed"], .bool(true))
        XCTAssertEqual(report["written"], .bool(false))
        XCTAssertEqual(report["rewrites"]?[0]?["key"], .string("runtime.round_timeout_s"))
        XCTAssertEqual(report["rewrites"]?[0]?["line"], .int(18))
        XCTAssertEqual(json.stderr, "", "JSON on stdout only")

        let migrate = try host.run(["migrate", "--json"])
        XCTAssertEqual(migrate.code, 0, migrate.stderr)
        XCTAssertEqual(try JSONParser.strict.parse(migrate.stdout)["backup"], .string("agent-runner.toml.bak.2"))
        XCTAssertEqual(try configText(host), try fixture("migrate/ours-claude-migrated.toml"), "byte for byte")
        XCTAssertEqual(
            try String(contentsOfFile: host.project + "/agent-runner.toml.bak", encoding: .utf8), "an older backup\n")
        XCTAssertEqual(try String(contentsOfFile: host.project + "/agent-runner.toml.bak.2", encoding: .utf8), old)
        try assertBothLoad(host, "our old init output, migrated")
    }

    /// After migrate the work tree holds the untracked backup and the changed config: the next
    /// round stashes neither (a stashed backup would be offered to the agent as orphan work).
    func testTheNextRoundLeavesTheBackupAndTheMigratedConfigInPlace() throws {
        let host = try LifecycleHost(self)
        try host.initProject()
        defer { host.cleanUp() }
        try Harness.write(
            try configText(host).replacingOccurrences(of: "round_budget_s", with: "round_timeout_s"),
            to: host.project + "/agent-runner.toml")
        try host.git(["commit", "-qam", "the old spelling"])
        XCTAssertEqual(try host.run(["migrate"]).code, 0)
        let round = try host.run(["serve", "--once"])
        XCTAssertEqual(round.code, 0, round.stderr)
        let kinds = try host.events().map(\.kind)
        XCTAssertTrue(kinds.contains("round_end"), "\(kinds)")
        XCTAssertFalse(kinds.contains("orphan_stashed"), "\(kinds)")
        XCTAssertEqual(try host.git(["status", "--porcelain"]), " M agent-runner.toml\n?? agent-runner.toml.bak\n")
        XCTAssertEqual(try host.git(["stash", "list"]), "")
    }

    func testMissingAndInvalidFilesAreConfigErrors() throws {
        let host = try LifecycleHost(self)
        let missing = try host.run(["migrate"])
        XCTAssertEqual(missing.code, ExitCode.config)
        XCTAssertEqual(
            missing.stderr,
            "agent-runner: config error: agent-runner.toml: no such file; looked in \(host.project); run "
                + "'agent-runner init' in \(host.project) (the top of this git work tree) to create the project, or "
                + "pass --config PATH\n")
        try Harness.write("[agent\n", to: host.project + "/agent-runner.toml")
        let invalid = try host.run(["migrate"])
        XCTAssertEqual(invalid.code, ExitCode.config)
        XCTAssertTrue(
            invalid.stderr.hasPrefix("agent-runner: config error: agent-runner.toml:1: invalid TOML"), invalid.stderr)
        XCTAssertEqual(invalid.stdout, "")
    }
}
