import FleetCore
import Foundation
import XCTest

/// `[schedule]` with the real binary and the host's zone database: serve pauses outside its
/// windows and says when it resumes, SIGTERM ends the pause, `--ignore-schedule` runs anyway,
/// `round --phase` picks a phase (and refuses one that is not listed).
final class ScheduleServeTests: XCTestCase {
    /// A window that is closed now (it opened and closed two hours ago, UTC) and its next opening.
    func closedWindow() -> (window: String, resumeAt: String) {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let hour = (Int(parts.tm_hour) + 22) % 24
        let window = String(format: "%02d:00-%02d:00", hour, (hour + 1) % 24)
        var opening = tm()
        var next = now + 22 * 3600 - Int(parts.tm_min) * 60 - Int(parts.tm_sec)
        gmtime_r(&next, &opening)
        let resumeAt = String(
            format: "%04d-%02d-%02dT%02d:00:00+00:00", Int(opening.tm_year) + 1900, Int(opening.tm_mon) + 1,
            Int(opening.tm_mday), Int(opening.tm_hour))
        return (window, resumeAt)
    }

    func testServePausesOutsideItsWindowsUntilStopped() throws {
        let (window, resumeAt) = closedWindow()
        let project = try AgentProject(self, extra: "[schedule]\ntimezone = \"UTC\"\nrun_windows = [\"\(window)\"]\n")
        let serve = try project.startServe()
        AgentProject.wait("schedule_paused") { ((try? project.first("schedule_paused")) ?? nil) != nil }
        let paused = try XCTUnwrap(project.first("schedule_paused"))
        XCTAssertEqual(paused.payload["active_window"], "outside run_windows")
        XCTAssertEqual(paused.payload["resume_at"], .string(resumeAt))
        XCTAssertEqual(paused.payload["timezone"], "UTC")
        let peek = try JSONParser.lenient.parse(Array(try project.run(["peek", "--json"]).stdout.utf8))
        XCTAssertEqual(peek["schedule"]?["paused"], true)
        XCTAssertEqual(peek["schedule_windows"]?["resume_at"], .string(resumeAt))
        kill(serve.pid, SIGTERM)
        XCTAssertEqual(serve.wait(), .terminated(0))
        XCTAssertEqual(try project.kinds().suffix(2), ["schedule_paused", "serve_stopped"])
        XCTAssertNil(project.logFile("fake-runs"), "no round ran")
    }

    func testIgnoreScheduleRunsARound() throws {
        let (window, _) = closedWindow()
        let project = try AgentProject(self, extra: "[schedule]\ntimezone = \"UTC\"\nrun_windows = [\"\(window)\"]\n")
        let result = try project.run(["serve", "--once", "--ignore-schedule"])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertEqual(try project.events().filter { $0.kind == "schedule_paused" }.count, 0)
        XCTAssertEqual(try project.events().filter { $0.kind == "agent_exit" }.count, 1)
    }

    func testAnUnknownZoneIsAConfigErrorWithItsLine() throws {
        let project = try AgentProject(self, extra: "[schedule]\ntimezone = \"Europe/Berln\"\n")
        let result = try project.run(["serve"])
        XCTAssertEqual(result.code, ExitCode.config)
        XCTAssertTrue(result.stderr.contains("agent-runner.toml:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("schedule.timezone: unknown IANA zone 'Europe/Berln'"), result.stderr)
    }

    func testRoundPhasePicksAListedPhase() throws {
        let extra = "[phases]\nlist = [\"plan\", \"build\"]\n"
        let project = try AgentProject(self, extra: extra)
        let result = try project.run(["round", "--phase", "build"])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertEqual(try project.first("round_start")?.payload["phase"], "build", "round 1 would be plan by rotation")
        XCTAssertTrue(project.logFile("fake-last-env.txt")?.contains("AGENT_RUNNER_PHASE=build") ?? false)

        let unknown = try project.run(["round", "--phase", "review"])
        XCTAssertEqual(unknown.code, ExitCode.config)
        XCTAssertTrue(unknown.stderr.contains("round --phase 'review' is not a configured phase"), unknown.stderr)
    }
}
