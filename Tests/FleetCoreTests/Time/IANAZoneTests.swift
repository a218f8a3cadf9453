import FleetCore
import XCTest

/// The zone reader against the host's C library (through `date`) and against hand-checked
/// facts: daylight-saving changes, a 30-minute DST, abolished DST, a skipped day, the footer rule
/// for instants after the table, and both directions of the wall-clock ↔ instant mapping.
final class IANAZoneTests: XCTestCase {
    let database = ZoneInfoDatabase.system

    static let referenceZones = [
        "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo", "Pacific/Apia",
        "UTC", "Etc/GMT+5", "Europe/Dublin", "America/St_Johns", "Asia/Kathmandu", "Antarctica/Troll",
        "Africa/Casablanca",
    ]

    func testAgreesWithDateFrom1920To2100AndAtEveryTransition() throws {
        for name in Self.referenceZones {
            let zone = try database.zone(named: name)
            try ReferenceDate.assertAgrees(zone, tz: name, at: ReferenceDate.probeInstants(zone, years: 1920...2100))
        }
    }

    func testAgreesWithDateFarInTheFutureThroughTheFooterRule() throws {
        for name in Self.referenceZones {
            let zone = try database.zone(named: name)
            var instants = ReferenceDate.probeInstants(zone, years: 2101...2500, step: 29_999_999)
            instants += ReferenceDate.probeInstants(zone, years: 9_998...9_999, step: 999_999)
            try ReferenceDate.assertAgrees(zone, tz: name, at: instants)
        }
    }

    func testKnownLocalTimes() throws {
        let berlin = try database.zone(named: "Europe/Berlin")
        XCTAssertEqual(
            berlin.localTime(at: utc(2024, 3, 31, 0, 59, 59)).description, "2024-03-31 01:59:59 +0100 CET Sun")
        XCTAssertEqual(
            berlin.localTime(at: utc(2024, 3, 31, 1, 0, 0)).description, "2024-03-31 03:00:00 +0200 CEST Sun")
        XCTAssertEqual(
            berlin.localTime(at: utc(2100, 3, 28, 1, 0, 0)).description, "2100-03-28 03:00:00 +0200 CEST Sun")
        let apia = try database.zone(named: "Pacific/Apia")
        XCTAssertEqual(
            apia.localTime(at: UTCInstant(seconds: 1_325_239_199)).description, "2011-12-29 23:59:59 -1000 -10 Thu")
        XCTAssertEqual(
            apia.localTime(at: UTCInstant(seconds: 1_325_239_200)).description, "2011-12-31 00:00:00 +1400 +14 Sat")
        let lordHowe = try database.zone(named: "Australia/Lord_Howe")
        XCTAssertEqual(
            lordHowe.localTime(at: utc(2024, 10, 5, 15, 29, 59)).description, "2024-10-06 01:59:59 +1030 +1030 Sun")
        XCTAssertEqual(
            lordHowe.localTime(at: utc(2024, 10, 5, 15, 30, 0)).description, "2024-10-06 02:30:00 +1100 +11 Sun")
        let saoPaulo = try database.zone(named: "America/Sao_Paulo")
        XCTAssertEqual(saoPaulo.localTime(at: utc(2018, 12, 1, 12, 0, 0)).utcOffset, -7_200, "DST in 2018")
        XCTAssertEqual(saoPaulo.localTime(at: utc(2035, 12, 1, 12, 0, 0)).utcOffset, -10_800, "DST abolished in 2019")
        XCTAssertNil(saoPaulo.nextTransition(after: utc(2020, 1, 1, 0, 0, 0)), "no change after 2019")
        let fixed = try database.zone(named: "Etc/GMT+5")
        XCTAssertEqual(fixed.localTime(at: utc(2024, 7, 1, 12, 0, 0)).description, "2024-07-01 07:00:00 -0500 -05 Mon")
    }

    func testISO8601MatchesPythonIsoformat() throws {
        let berlin = try database.zone(named: "Europe/Berlin")
        XCTAssertEqual(berlin.localTime(at: utc(2026, 3, 30, 7, 0, 0)).iso8601, "2026-03-30T09:00:00+02:00")
        XCTAssertEqual(
            try database.zone(named: "America/Sao_Paulo").localTime(at: utc(2026, 1, 5, 12, 0, 0)).iso8601,
            "2026-01-05T09:00:00-03:00")
        XCTAssertEqual(
            try database.zone(named: "America/St_Johns").localTime(at: utc(2026, 1, 5, 12, 0, 0)).iso8601,
            "2026-01-05T08:30:00-03:30")
        XCTAssertEqual(IANAZone.utc.localTime(at: utc(2026, 1, 5, 12, 0, 0)).iso8601, "2026-01-05T12:00:00+00:00")
        XCTAssertEqual(
            IANAZone.utc.localTime(at: UTCInstant(seconds: 0, nanoseconds: 1_500)).iso8601,
            "1970-01-01T00:00:00.000001+00:00")
        // Berlin kept local mean time (+00:53:28) until 1893.
        XCTAssertEqual(berlin.localTime(at: utc(1890, 1, 1, 0, 0, 0)).iso8601, "1890-01-01T00:53:28+00:53:28")
    }

    func testSpringForwardGapIsNonexistent() throws {
        let berlin = try database.zone(named: "Europe/Berlin")
        guard case .nonexistent(let jump) = berlin.resolve(local(2024, 3, 31, 2, 30)) else {
            return XCTFail("02:30 on 2024-03-31 does not exist in Berlin")
        }
        XCTAssertEqual(jump.instant, utc(2024, 3, 31, 1, 0, 0))
        XCTAssertEqual(jump.wallClockJump, 3_600)
        XCTAssertEqual(berlin.resolve(local(2024, 3, 31, 3, 0)), .unique(utc(2024, 3, 31, 1, 0, 0)))
        XCTAssertEqual(berlin.resolve(local(2024, 3, 31, 1, 59)), .unique(utc(2024, 3, 31, 0, 59, 0)))
        let newYork = try database.zone(named: "America/New_York")
        guard case .nonexistent(let nyJump) = newYork.resolve(local(2024, 3, 10, 2, 15)) else {
            return XCTFail("02:15 on 2024-03-10 does not exist in New York")
        }
        XCTAssertEqual(nyJump.instant, utc(2024, 3, 10, 7, 0, 0))
        let lordHowe = try database.zone(named: "Australia/Lord_Howe")
        guard case .nonexistent(let halfHour) = lordHowe.resolve(local(2024, 10, 6, 2, 15)) else {
            return XCTFail("02:15 on 2024-10-06 does not exist on Lord Howe Island")
        }
        XCTAssertEqual(halfHour.wallClockJump, 1_800)
        let apia = try database.zone(named: "Pacific/Apia")
        for hour in [0, 12, 23] {
            guard case .nonexistent = apia.resolve(local(2011, 12, 30, hour, 0)) else {
                return XCTFail("Samoa skipped 2011-12-30 entirely")
            }
        }
    }

    func testFallBackFoldIsAmbiguous() throws {
        let berlin = try database.zone(named: "Europe/Berlin")
        XCTAssertEqual(
            berlin.resolve(local(2024, 10, 27, 2, 30)),
            .ambiguous(earlier: utc(2024, 10, 27, 0, 30, 0), later: utc(2024, 10, 27, 1, 30, 0)))
        let newYork = try database.zone(named: "America/New_York")
        XCTAssertEqual(
            newYork.resolve(local(2024, 11, 3, 1, 30)),
            .ambiguous(earlier: utc(2024, 11, 3, 5, 30, 0), later: utc(2024, 11, 3, 6, 30, 0)))
        // Far future, from the footer rule.
        XCTAssertEqual(
            berlin.resolve(local(2100, 10, 31, 2, 0)),
            .ambiguous(earlier: utc(2100, 10, 31, 0, 0, 0), later: utc(2100, 10, 31, 1, 0, 0)))
    }

    func testResolveInvertsLocalTimeEverywhere() throws {
        for name in ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia"] {
            let zone = try database.zone(named: name)
            for seconds in stride(from: Int64(1_293_840_000), to: 1_356_998_400, by: 7_777) {
                let instant = UTCInstant(seconds: seconds)
                let shown = zone.localTime(at: instant).local
                let resolution = zone.resolve(shown)
                XCTAssertTrue(
                    resolution.instants.contains(instant), "\(name): \(shown) resolves to \(resolution), not \(instant)"
                )
                for other in resolution.instants {
                    XCTAssertEqual(zone.localTime(at: other).local, shown, "\(name): \(other)")
                }
            }
        }
    }

    func testTransitionsAreListedInOrder() throws {
        let berlin = try database.zone(named: "Europe/Berlin")
        let changes = berlin.transitions(after: utc(2024, 1, 1, 0, 0, 0), through: utc(2026, 1, 1, 0, 0, 0))
        XCTAssertEqual(
            changes.map(\.instant),
            [
                utc(2024, 3, 31, 1, 0, 0), utc(2024, 10, 27, 1, 0, 0), utc(2025, 3, 30, 1, 0, 0),
                utc(2025, 10, 26, 1, 0, 0),
            ])
        XCTAssertEqual(changes.map(\.after.abbreviation), ["CEST", "CET", "CEST", "CET"])
        XCTAssertEqual(IANAZone.utc.transitions(after: utc(2024, 1, 1, 0, 0, 0), through: utc(2100, 1, 1, 0, 0, 0)), [])
    }

    func testExtremeInstantsDoNotTrap() throws {
        for name in ["Europe/Berlin", "Australia/Lord_Howe", "Pacific/Apia"] {
            let zone = try database.zone(named: name)
            for seconds in [Int64.min, Int64.min + 1, -1 << 40, 1 << 40, Int64.max - 1, Int64.max] {
                let shown = zone.localTime(at: UTCInstant(seconds: seconds))
                _ = zone.resolve(shown.local)
                _ = zone.nextTransition(after: UTCInstant(seconds: seconds))
            }
        }
    }

    // MARK: Helpers

    private func utc(_ year: Int64, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> UTCInstant {
        UTCInstant(
            UTCInstant.Components(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
    }

    private func local(_ year: Int64, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int) -> LocalDateTime {
        LocalDateTime(date: CivilDate(year: year, month: month, day: day)!, hour: hour, minute: minute)!
    }
}
