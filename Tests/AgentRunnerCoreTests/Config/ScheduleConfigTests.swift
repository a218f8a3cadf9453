import FleetCore
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// `[schedule]` and `[phases.NAME.schedule]` in agent-runner.toml: parsed at load with the zone
/// source injected (no zone files read), every mistake a config error with file, line and key.
final class ScheduleConfigTests: XCTestCase {
    let base = """
        schema_version = 1
        [agent]
        command = ["claude"]
        prompt_arg_template = ["-p", "{prompt}"]
        [runtime]
        work_dir = "."
        log_dir = "logs"
        [prompt]
        file = "prompts/main.md"

        """

    let configs = InMemoryConfig(zones: TestZones.Source())

    func load(_ text: String) throws -> AgentRunnerConfig { try configs.load(text) }

    func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        configs.error(text, file: file, line: line)
    }

    func testTheGlobalScheduleIsParsedInItsZone() throws {
        let config = try load(
            base + """
                [schedule]
                timezone = "Europe/Berlin"
                run_windows = ["Mon-Fri 08:00-20:00", "Sat 10:00-14:00"]
                pause_windows = ["Mon-Fri 12:00-13:00"]

                """)
        let global = config.schedules.global
        XCTAssertEqual(global.timezone, "Europe/Berlin")
        XCTAssertEqual(global.zone.name, "Europe/Berlin")
        XCTAssertEqual(global.runWindows.map(\.label), ["Mon-Fri 08:00-20:00", "Sat 10:00-14:00"])
        XCTAssertEqual(global.pauseWindows.map(\.label), ["Mon-Fri 12:00-13:00"])
        XCTAssertFalse(config.schedules.isPhaseAware)
        // Monday 2026-06-01 12:30 in Berlin is in the lunch pause.
        XCTAssertEqual(
            global.pause(at: wall(TestZones.berlin, 2026, 6, 1, 12, 30))?.activeWindow, "Mon-Fri 12:00-13:00")
        let effective = config.effective().settings.filter { $0.section == "schedule" }
        XCTAssertEqual(effective.map(\.key), ["timezone", "run_windows", "pause_windows"])
        XCTAssertEqual(effective.first?.origin, .file("agent-runner.toml", line: 11))
    }

    func testNoScheduleRunsAroundTheClockWithoutReadingAZone() throws {
        let loader = AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: "/home/op", currentDirectory: "/srv/demo"),
            fileSystem: MemoryFileSystem(directories: ["/srv/demo"]), zones: NoZones())
        let config = try loader.parse(
            Array(base.utf8), configPath: "/srv/demo/agent-runner.toml", displayPath: "agent-runner.toml")
        XCTAssertFalse(config.schedules.global.isEnabled)
        XCTAssertEqual(
            config.effective().settings.first { $0.section == "schedule" && $0.key == "timezone" }?.value, .null)
    }

    func testWithoutATimezoneTheHostZoneIsUsed() throws {
        let config = try load(base + "[schedule]\nrun_windows = [\"09:00-17:00\"]\n")
        XCTAssertNil(config.schedules.global.timezone)
        XCTAssertEqual(config.schedules.global.zone.name, "local")
        XCTAssertEqual(config.schedules.global.timezoneLabel, "local")
    }

    func testMistakesNameTheLineAndKey() {
        let zone = error(base + "[schedule]\ntimezone = \"Europe/Berln\"\n")
        XCTAssertEqual(zone?.line, 11)
        XCTAssertEqual(zone?.key, "schedule.timezone")
        XCTAssertEqual(
            zone?.message,
            "unknown IANA zone 'Europe/Berln'; use an IANA name such as \"Europe/Berlin\" (the names in "
                + "/usr/share/zoneinfo), or remove timezone for the host's zone")
        let window = error(
            base + "[schedule]\ntimezone = \"Europe/Berlin\"\nrun_windows = [\"08:00-20:00\", \"9:00-17:00\"]\n")
        XCTAssertEqual(
            window?.description,
            "config error: agent-runner.toml:12: schedule.run_windows: item 1: invalid window '9:00-17:00': "
                + "expected [WEEKDAYS ]HH:MM-HH:MM")
        let hour = error(base + "[schedule]\npause_windows = [\"25:00-26:00\"]\n")
        XCTAssertEqual(hour?.key, "schedule.pause_windows")
        XCTAssertEqual(hour?.message, "item 0: window '25:00-26:00' start: hour 25 out of range")
        let bare = error(base + "[schedule]\nrun_windows = \"Mon-Fri 08:00-20:00\"\n")
        XCTAssertEqual(bare?.key, "schedule.run_windows")
        XCTAssertTrue(bare?.message.hasPrefix("must be a list of window strings") ?? false, bare?.message ?? "")
        let unknown = error(base + "[schedule]\nrun_window = []\n")
        XCTAssertEqual(unknown?.key, "schedule.run_window")
        XCTAssertTrue(unknown?.message.contains("did you mean 'run_windows'?") ?? false, unknown?.message ?? "")
        let range = error(base + "[schedule]\nrun_windows = [\"fri-mon 08:00-20:00\"]\n")
        XCTAssertEqual(range?.message, "item 0: weekday range must be ascending Mon..Sun: 'fri-mon'")
    }

    let phased = """
        [phases]
        list = ["build", "review"]
        [phases.build.agent]
        command = ["aider"]
        [phases.review.agent]
        command = ["claude", "--review"]

        """

    func testAPhaseScheduleReplacesTheGlobalOneAndInheritsItsZone() throws {
        let config = try load(
            base + phased + """
                [phases.review.schedule]
                run_windows = ["Sat,Sun 00:00-24:00"]
                [schedule]
                timezone = "Europe/Berlin"
                run_windows = ["Mon-Fri 08:00-20:00"]

                """)
        XCTAssertTrue(config.schedules.isPhaseAware)
        let review = try XCTUnwrap(config.schedules.perPhase["review"])
        XCTAssertEqual(review.timezone, "Europe/Berlin")
        XCTAssertEqual(review.runWindows.map(\.label), ["Sat,Sun 00:00-24:00"])
        XCTAssertNil(config.schedules.perPhase["build"])
        XCTAssertEqual(config.schedules.schedule(for: "build").runWindows.map(\.label), ["Mon-Fri 08:00-20:00"])
        let reviewTZ = config.effective().settings.first {
            $0.section == "phases.review.schedule" && $0.key == "timezone"
        }
        XCTAssertEqual(reviewTZ?.value, "Europe/Berlin")
        XCTAssertEqual(reviewTZ?.origin, .file("agent-runner.toml", line: 19), "inherited from [schedule]")
        XCTAssertEqual(config.phaseWindowOverlaps, [])
    }

    func testAPhaseScheduleWithoutAGlobalOneUsesTheHostZone() throws {
        let config = try load(base + phased + "[phases.review.schedule]\nrun_windows = [\"22:00-06:00\"]\n")
        XCTAssertEqual(config.schedules.perPhase["review"]?.zone.name, "local")
        XCTAssertFalse(config.schedules.global.isEnabled, "no [schedule]: the other phases run around the clock")
    }

    func testAPhaseScheduleMistakeNamesThePhase() {
        let failure = error(
            base + phased
                + "[phases.review.schedule]\ntimezone = \"America/New_York\"\nrun_windows = [\"Mon-Fri 24:00-02:00\"]\n"
        )
        XCTAssertEqual(failure?.key, "phases.review.schedule.run_windows")
        XCTAssertEqual(failure?.line, 18)
        XCTAssertEqual(
            failure?.message, "item 0: window 'Mon-Fri 24:00-02:00' start: 24:00 is only valid as an end bound")
        let unknown = error(base + phased + "[phases.review.schedule]\nwindows = []\n")
        XCTAssertEqual(unknown?.key, "phases.review.schedule.windows")
    }

    func testOverlappingAgentPhasesAreFound() throws {
        let overlapping = try load(
            base + phased + """
                [phases.build.schedule]
                run_windows = ["Mon-Fri 08:00-20:00"]
                [phases.review.schedule]
                run_windows = ["Sat 00:00-01:00", "Fri 19:00-23:00"]

                """)
        XCTAssertEqual(
            overlapping.phaseWindowOverlaps.map(\.description),
            ["build (Mon-Fri 08:00-20:00) vs review (Fri 19:00-23:00)"])
        let carved = try load(
            base + phased + """
                [phases.build.schedule]
                run_windows = ["Mon-Fri 08:00-20:00"]
                pause_windows = ["Fri 19:00-20:00"]
                [phases.review.schedule]
                run_windows = ["Fri 19:00-23:00"]

                """)
        XCTAssertEqual(carved.phaseWindowOverlaps, [], "a pause window that carves out the overlap settles it")
        let wrapped = try load(
            base + phased + """
                [phases.build.schedule]
                run_windows = ["Fri 22:00-02:00"]
                [phases.review.schedule]
                run_windows = ["Sat 01:00-03:00"]

                """)
        XCTAssertEqual(wrapped.phaseWindowOverlaps.count, 1, "Friday's window runs into Saturday 01:00-02:00")
        let zones = try load(
            base + phased + """
                [phases.build.schedule]
                timezone = "Europe/Berlin"
                run_windows = ["08:00-20:00"]
                [phases.review.schedule]
                timezone = "America/New_York"
                run_windows = ["08:00-20:00"]

                """)
        XCTAssertEqual(zones.phaseWindowOverlaps, [], "pairs in different zones are not compared")
    }

    func testPhasesSharingTheBaseAgentMayOverlap() throws {
        let config = try load(
            base + """
                [phases]
                list = ["plan", "build"]
                [phases.plan.schedule]
                run_windows = ["08:00-20:00"]
                [phases.build.schedule]
                run_windows = ["08:00-20:00"]

                """)
        XCTAssertEqual(config.phaseWindowOverlaps, [])
    }
}

/// A zone source that fails the test when asked: a config without schedules must read no zone.
struct NoZones: ZoneSource {
    func zone(named name: String) throws(TimeZoneError) -> IANAZone {
        XCTFail("looked up zone \(name)")
        throw TimeZoneError(code: .unknownZone, zone: name, message: "no zones")
    }

    func localZone() throws(TimeZoneError) -> IANAZone {
        XCTFail("read the host zone")
        throw TimeZoneError(code: .unknownZone, zone: "local", message: "no zones")
    }
}
