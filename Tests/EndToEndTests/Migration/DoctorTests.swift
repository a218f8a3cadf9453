import FleetCore
import Foundation
import TestSupport
import XCTest

/// `agent-runner doctor` on real projects: the original's nine checks in its order, then ours;
/// exit 1 when one fails, 78 when the config does not load.
final class DoctorTests: XCTestCase {
    let ours = ["event_log_readable", "service_mode_consistent", "config_current"]

    func originalCheckNames() throws -> [String] {
        let path = MigrateTests.fixtures + "/doctor/doctor.json"
        let json = try JSONParser.strict.parse(try String(contentsOfFile: path, encoding: .utf8))
        guard case .array(let checks)? = json["checks"] else {
            throw MissingPrerequisite("no checks in \(path): the recorded doctor output is damaged")
        }
        return checks.compactMap { $0["name"]?.stringValue }
    }

    func testAHealthyProjectPassesEveryCheckInTheOriginalsOrder() throws {
        let host = try LifecycleHost(self)
        try host.initProject()
        let text = try host.run(["doctor"])
        XCTAssertEqual(text.code, 0, text.stdout + text.stderr)
        let names = try originalCheckNames() + ours
        XCTAssertEqual(names.count, 12)
        XCTAssertTrue(
            text.stdout.hasPrefix(
                "checks:\n" + names.map { "  [ok] \($0)\n" }.joined() + "phase plan:\n"
                    + "  round 1: base\n  round 2: base\n  round 3: base\n"), text.stdout)
        XCTAssertTrue(text.stdout.contains("sigterm grace: 10 s"), text.stdout)
        XCTAssertTrue(text.stdout.contains("service:\n  mode: none\n  serve: not running\n"), text.stdout)

        let json = try host.run(["doctor", "--json", "--rounds", "2"])
        XCTAssertEqual(json.code, 0, json.stderr)
        let report = try JSONParser.strict.parse(json.stdout)
        let original = try JSONParser.strict.parse(
            try String(contentsOfFile: MigrateTests.fixtures + "/doctor/doctor.json", encoding: .utf8))
        XCTAssertEqual(report["checks"]?[0], original["checks"]?[0], "the original's shape")
        XCTAssertEqual(report["plan"]?[1], original["plan"]?[1])
        XCTAssertNil(report["plan"]?[2])
        XCTAssertEqual(report["overlaps"], .array([]))
        XCTAssertEqual(report["sigterm_grace"]?["resolved_s"], .int(10))
        XCTAssertEqual(report["service"]?["mode"], .string("none"))
        XCTAssertEqual(report["cgroup"]?["brake"], .string("off"))
        XCTAssertNil(FileManager.default.contents(atPath: host.logDir + "/.write_probe"), "the probe is removed")
    }

    /// The original's failing example (a missing CLI, a 12-byte prompt) plus an old spelling: the
    /// same FAIL lines, and unlike the original, exit 1.
    func testFailingChecksSayWhyAndHowAndExit1() throws {
        let host = try LifecycleHost(self)
        try host.initProject()
        let config = try String(contentsOfFile: host.project + "/agent-runner.toml", encoding: .utf8)
        let old = config.replacingOccurrences(of: "command = [\"claude\"", with: "command = [\"gemini-missing\"")
            .replacingOccurrences(of: "round_budget_s", with: "round_timeout_s")
        try Harness.write(old, to: host.project + "/agent-runner.toml")
        let line =
            try XCTUnwrap(
                old.split(separator: "\n", omittingEmptySubsequences: false)
                    .firstIndex { $0.hasPrefix("round_timeout_s") }) + 1
        try Harness.write("Do the work.", to: host.project + "/prompts/main.md")
        let result = try host.run(["doctor"])
        XCTAssertEqual(result.code, 1, result.stdout)
        XCTAssertTrue(
            result.stdout.contains(
                "  [FAIL] prompt_smoke_passes — prompt is 12 bytes < 500 minimum (fix: add "
                    + "substantive content — a stub prompt suggests a broken config)\n"), result.stdout)
        XCTAssertTrue(
            result.stdout.contains("  [FAIL] agent_cli_in_path — \"gemini-missing\" not found on PATH"), result.stdout)
        XCTAssertTrue(
            result.stdout.contains(
                "  [FAIL] config_current — 1 old spelling or no-op value: "
                    + "runtime.round_timeout_s (line \(line)) (fix: run `agent-runner migrate`)\n"), result.stdout)
        XCTAssertTrue(
            result.stderr.contains("agent-runner: warning: agent-runner.toml:\(line): runtime.round_timeout_s"),
            result.stderr)
        XCTAssertTrue(
            result.stderr.hasSuffix(
                "agent-runner: doctor: 3 checks failed: prompt_smoke_passes, agent_cli_in_path, config_current\n"),
            result.stderr)
        let json = try JSONParser.strict.parse(try host.run(["doctor", "--json"]).stdout)
        guard case .array(let checks)? = json["checks"] else { return XCTFail("no checks array") }
        let failed = checks.filter { $0["ok"] == .bool(false) }
        XCTAssertEqual(
            failed.compactMap { $0["name"]?.stringValue },
            ["prompt_smoke_passes", "agent_cli_in_path", "config_current"])
        XCTAssertEqual(failed.map { $0["permanent"] }, [.bool(true), .bool(true), .bool(false)])
    }

    func testAConfigErrorExits78BeforeAnyCheck() throws {
        let host = try LifecycleHost(self)
        try host.initProject()
        try host.appendConfig("[runtime.extra]\n")
        let result = try host.run(["doctor"])
        XCTAssertEqual(result.code, ExitCode.config)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.hasPrefix("agent-runner: config error: agent-runner.toml:"), result.stderr)
        XCTAssertEqual(try host.run(["doctor", "--rounds", "0"]).code, ExitCode.usage)
    }

    /// A serve started by hand beside an installed, inactive user unit is a second supervisor in
    /// waiting: `start` would run another. doctor says so.
    func testAServeOutsideItsInstalledUnitFailsTheServiceCheck() throws {
        let host = try LifecycleHost(self, fakeSystemd: true)
        try host.initProject()
        defer { host.cleanUp() }
        let installed = try host.run(["install"], environment: ["XDG_RUNTIME_DIR": host.runtimeDir])
        XCTAssertEqual(installed.code, 0, installed.stderr)
        try Harness.write("inactive\n", to: host.unitStateFile)
        try FileManager.default.createDirectory(atPath: host.logDir, withIntermediateDirectories: true)
        let serve = try XCTUnwrap(try host.bootService(try Harness.binary("agent-runner")), "serve did not start")
        let result = try host.run(["doctor"])
        XCTAssertEqual(result.code, 1, result.stdout)
        XCTAssertTrue(
            result.stdout.contains(
                "  [FAIL] service_mode_consistent — serve (pid \(serve)) runs outside its "
                    + "installed user unit, which is inactive"), result.stdout)
        XCTAssertTrue(result.stdout.contains("  serve: running (pid \(serve))"), result.stdout)
    }
}
