import FleetCore
import Foundation
import TestSupport
import XCTest

/// A serve that runs for months keeps its round logs within their budgets as it goes, not only
/// when it starts: real serve, hundreds of real rounds of the fake agent, the log dir sampled
/// while the rounds run. And a restart onto a backlog (a lowered retention) behaves as
/// docs/commands.md says: the bulk guard holds the backlog, reports it once with the command
/// that clears it, and `agent-runner prune --yes` clears it.
final class ServeRetentionTests: XCTestCase {
    /// The round logs now: how many, their bytes, the largest (the live transcript can be one),
    /// and how many are over 100 kB (the `big` rounds').
    static func roundLogs(_ logDir: String) -> (count: Int, bytes: Int, largest: Int, big: Int) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: logDir + "/rounds")) ?? []
        var sizes: [Int] = []
        for name in names where name.hasPrefix("R") && name.hasSuffix(".log") {
            // A file pruned between the listing and this look is simply gone.
            if let size = try? FileManager.default.attributesOfItem(atPath: logDir + "/rounds/" + name)[.size] as? Int {
                sizes.append(size)
            }
        }
        return (sizes.count, sizes.reduce(0, +), sizes.max() ?? 0, sizes.filter { $0 > 100_000 }.count)
    }

    /// 300 rounds: 150 with tiny transcripts, where `round_log_retention = 4` binds, then 150 of
    /// 400 KiB each, where `round_log_max_mb = 1` binds (two finished rounds fit, plus the live
    /// one). Sampled every few milliseconds: never more than 4 round logs, never more than the
    /// budget plus the one transcript being written.
    func testCountAndByteBudgetsHoldWhileServeRuns() throws {
        let rounds = 300
        let modes = Array(repeating: "ok", count: rounds / 2) + ["big"]
        let project = try AgentProject(
            self, modes: modes, runtime: ["round_log_retention = 4", "round_log_max_mb = 1"], restartDelay: 0.01)
        let serve = try project.startServe(["--max-rounds", String(rounds)], environment: ["FAKE_BIG_KB": "400"])
        var samples = 0
        var mostFiles = 0
        var mostFilesOfBigRounds = 0
        var mostBytesBeyondLive = 0
        let deadline = ContinuousClock.now + .seconds(600)
        while serve.poll() == nil {
            XCTAssertLessThan(ContinuousClock.now, deadline, "serve did not finish \(rounds) rounds in 10 minutes")
            if ContinuousClock.now >= deadline { break }
            let logs = Self.roundLogs(project.logDir)
            samples += 1
            mostFiles = max(mostFiles, logs.count)
            mostFilesOfBigRounds = max(mostFilesOfBigRounds, logs.big)
            mostBytesBeyondLive = max(mostBytesBeyondLive, logs.bytes - logs.largest)
            usleep(5_000)
        }
        let exit = serve.wait()
        XCTAssertEqual(exit, .terminated(0), serve.collectOutput().stderrText)
        XCTAssertEqual(try project.events().filter { $0.kind == "round_start" }.count, rounds)
        XCTAssertGreaterThan(samples, 100, "the log dir was sampled as the rounds ran")
        XCTAssertLessThanOrEqual(mostFiles, 4, "round_log_retention = 4, the running round included")
        XCTAssertEqual(mostFiles, 4, "the count bound while transcripts were small")
        XCTAssertLessThanOrEqual(
            mostBytesBeyondLive, 1 << 20, "the finished rounds' logs stay within round_log_max_mb = 1")
        XCTAssertEqual(
            mostFilesOfBigRounds, 3, "with 400 KiB transcripts the byte budget binds first: 2 + the live one")
        XCTAssertEqual(
            try project.events().filter { $0.kind == "round_logs_prune_deferred" }.count, 0,
            "steady state never needs the guard")
        let end = Self.roundLogs(project.logDir)
        XCTAssertEqual(end.count, 3)
        XCTAssertLessThanOrEqual(end.bytes - end.largest, 1 << 20)
    }

    /// Retention lowered from 50 to 5 under a log dir of 30 rounds: the restarted serve deletes
    /// nothing (26 of 30 would go), records `round_logs_prune_deferred` once, not once a round,
    /// with the command that clears it; `agent-runner prune` shows the plan, `prune --yes`
    /// carries it out; the next serve prunes as it goes again.
    func testARestartAfterABacklogDefersOnceAndPruneYesClearsIt() throws {
        let project = try AgentProject(self, runtime: ["round_log_retention = 50"], restartDelay: 0.01)
        XCTAssertEqual(try project.run(["serve", "--max-rounds", "30"]).code, 0)
        XCTAssertEqual(Self.roundLogs(project.logDir).count, 30)

        let config = project.dir + "/agent-runner.toml"
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try Harness.write(
            text.replacingOccurrences(of: "round_log_retention = 50", with: "round_log_retention = 5"), to: config)
        let restarted = try project.run(["serve", "--max-rounds", "10"])
        XCTAssertEqual(restarted.code, 0, restarted.stderr)
        XCTAssertEqual(Self.roundLogs(project.logDir).count, 40, "the guard held the backlog: nothing was deleted")
        let deferred = try project.events().filter { $0.kind == "round_logs_prune_deferred" }
        XCTAssertEqual(deferred.count, 1, "reported once, not at each of the 10 rounds")
        XCTAssertEqual(deferred.first?.payload["existing"], .int(30))
        XCTAssertEqual(deferred.first?.payload["would_delete"], .int(26))
        let hint = deferred.first?.payload["hint"]?.stringValue ?? ""
        XCTAssertTrue(hint.contains("run `agent-runner prune --yes --config \(config)`"), hint)
        XCTAssertTrue(restarted.stderr.contains("agent-runner prune --yes"), restarted.stderr)

        let dryRun = try project.run(["prune"])
        XCTAssertEqual(dryRun.code, 0, dryRun.stderr)
        XCTAssertTrue(dryRun.stdout.contains("would delete 35 rounds' logs"), dryRun.stdout)
        XCTAssertEqual(Self.roundLogs(project.logDir).count, 40, "without --yes nothing goes")
        let pruned = try project.run(["prune", "--yes", "--json"])
        XCTAssertEqual(pruned.code, 0, pruned.stderr)
        let report = try JSONParser.strict.parse(Array(pruned.stdout.utf8))
        XCTAssertEqual(report["rounds_deleted"], .int(35))
        XCTAssertEqual(report["rounds_kept"], .int(5))
        XCTAssertEqual(report["dry_run"], .bool(false))
        XCTAssertEqual(Self.roundLogs(project.logDir).count, 5)
        let newest = try XCTUnwrap(project.transcriptPath(40))
        XCTAssertTrue(FileManager.default.fileExists(atPath: newest), "the newest round always stays")

        XCTAssertEqual(try project.run(["serve", "--max-rounds", "3"]).code, 0)
        XCTAssertEqual(Self.roundLogs(project.logDir).count, 5, "pruned as it goes: the new rounds replace old ones")
        XCTAssertEqual(
            try project.events().filter { $0.kind == "round_logs_prune_deferred" }.count, 1, "no new deferral")
    }
}
