import FleetCore

@testable import AgentRunnerCore

/// Zones built from the POSIX rules the real zones follow today, so schedule tests read no files.
enum TestZones {
    static let berlin = zone("Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3")
    static let newYork = zone("America/New_York", "EST5EDT,M3.2.0,M11.1.0")
    static let lordHowe = zone("Australia/Lord_Howe", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0")

    static func zone(_ name: String, _ rule: String) -> IANAZone {
        IANAZone(name: name, rule: try! PosixTimeZoneRule(rule))
    }

    /// A zone source holding the zones above, with New York as the host's local zone.
    struct Source: ZoneSource {
        func zone(named name: String) throws(TimeZoneError) -> IANAZone {
            guard let zone = [berlin, newYork, lordHowe].first(where: { $0.name == name }) else {
                throw TimeZoneError(code: .unknownZone, zone: name, message: "unknown IANA zone '\(name)'")
            }
            return zone
        }

        func localZone() throws(TimeZoneError) -> IANAZone {
            IANAZone(name: "local", rule: newYork.footer!)
        }
    }
}

func utc(_ year: Int64, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0) -> UTCInstant {
    UTCInstant(UTCInstant.Components(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
}

/// The instant a zone's clocks show this reading (the first one, in a fold).
func wall(_ zone: IANAZone, _ year: Int64, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int) -> UTCInstant {
    zone.resolve(LocalDateTime(date: CivilDate(year: year, month: month, day: day)!, hour: hour, minute: minute)!)
        .instants[0]
}

func schedule(
    _ zone: IANAZone = TestZones.berlin, timezone: String? = "Europe/Berlin", run: [String] = [], pause: [String] = []
) -> Schedule {
    Schedule(
        timezone: timezone, zone: zone,
        runWindows: run.map { try! ScheduleWindow.parse($0) }, pauseWindows: pause.map { try! ScheduleWindow.parse($0) }
    )
}
