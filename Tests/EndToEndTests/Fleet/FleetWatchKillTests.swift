import FleetCore
import Foundation
import TestSupport
import XCTest

/// `fleetctl watch` killed with SIGKILL, again and again, at random points: its state file
/// always parses, and the one firing alert is notified exactly once across all the restarts.
final class FleetWatchKillTests: XCTestCase {
    func testKill9MidWatchNeverNotifiesTwice() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1"])
        let disk = try SmallTmpfs(self)
        let project = try fleet.project(self, on: "pi1", root: disk.path + "/1")
        try project.recordHostSample()
        try fleet.inventory(
            defaults: ["[defaults.auto_stop]", "enabled = false"],
            """
            \(FleetFixture.host("pi1", project: project))
            [[hooks]]
            command = ["\(fleet.hookScript)", "{host}"]
            """)
        let stateFile = fleet.stateDir + "/watch-state.json"

        // The disk fills while watch has been polling (and saving) for a while; the moment the
        // hook has run, watch is killed: the state that records the notification must already
        // be on disk, whatever watch's save schedule.
        let first = try fleet.startFleetctl(["watch", "--json"])
        usleep(1_500_000)
        try disk.fill(pastPercent: 95)
        try project.recordHostSample()
        let deadline = ContinuousClock.now + .seconds(30)
        while fleet.hookEnvironmentLines().isEmpty && ContinuousClock.now < deadline { usleep(5_000) }
        _ = try first.signal(SIGKILL)
        _ = first.wait()
        XCTAssertEqual(fleet.hookEnvironmentLines(), ["pi1 disk_critical firing pi1"])

        // Then killed at random points of its polling, eight times over.
        let random = SeededRandom.fromEnvironment()
        print("FleetWatchKillTests: kill points from \(random.replayHint)")
        for round in 0..<8 {
            let running = try fleet.startFleetctl(["watch", "--json"])
            usleep(UInt32(random.int(in: 50_000...1_500_000)))
            _ = try running.signal(SIGKILL)
            _ = running.wait()
            let bytes = try XCTUnwrap(
                FileManager.default.contents(atPath: stateFile), "round \(round): no state file, \(random.replayHint)")
            XCTAssertNoThrow(
                try JSONParser.strict.parse(Array(bytes)),
                "round \(round): the state file does not parse, \(random.replayHint)")
        }
        // A clean last run polls a few times: still nothing notified again.
        XCTAssertEqual(try fleet.fleetctl(["watch", "--cycles", "3"]).code, 0)
        XCTAssertEqual(
            fleet.hookEnvironmentLines(), ["pi1 disk_critical firing pi1"],
            "notified again after a kill -9, \(random.replayHint)")
        let emitted = try fleet.fleetEvents().filter { $0.kind == "monitor_alert_emitted" }
        XCTAssertEqual(emitted.count, 1, "\(emitted.map(\.raw))")
    }
}
