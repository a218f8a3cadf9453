import FleetCore
import XCTest

/// GNU `date` as the reference implementation of the C library's zone handling: one process per
/// zone, every instant on its standard input, printed as `%F %T %z %Z %a` in the C locale.
enum ReferenceDate {
    static func format(
        _ instants: [Int64], tz: String, file: StaticString = #filePath, line: UInt = #line
    ) throws -> [String] {
        let input = instants.map { "@\($0)" }.joined(separator: "\n") + "\n"
        let request = ProcessRequest(
            "date", arguments: ["-f", "-", "+%F %T %z %Z %a"],
            environment: ["TZ": tz, "LC_ALL": "C", "PATH": "/usr/bin:/bin"],
            standardInput: .bytes(Array(input.utf8)))
        let output = try PosixProcessRunner().run(request)
        XCTAssertEqual(
            output.exit, .terminated(0), "date failed for TZ=\(tz): \(String(decoding: output.stderr, as: UTF8.self))",
            file: file, line: line)
        return output.stdoutText.split(separator: "\n").map(String.init)
    }

    /// Asserts that `zone` shows what `date` shows under `TZ=tz` for every instant.
    static func assertAgrees(
        _ zone: IANAZone, tz: String, at instants: [Int64], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let expected = try format(instants, tz: tz, file: file, line: line)
        XCTAssertEqual(
            expected.count, instants.count, "date printed \(expected.count) lines for \(instants.count) instants",
            file: file, line: line)
        var failures = 0
        for (instant, reference) in zip(instants, expected) {
            let ours = zone.localTime(at: UTCInstant(seconds: instant)).description
            // strftime prints %z as -0000 for the "-00" abbreviation (local time unspecified, RFC 8536 §2).
            let reference = reference.replacingAll(" -0000 -00 ", with: " +0000 -00 ")
            if ours != reference {
                failures += 1
                if failures <= 5 {
                    XCTFail("\(tz) @\(instant): date says \(reference), we say \(ours)", file: file, line: line)
                }
            }
        }
        if failures > 5 { XCTFail("\(tz): \(failures) disagreements in all", file: file, line: line) }
    }

    /// Instants worth checking in a zone: a spread over `years`, and each transition the zone
    /// reports in that span together with the seconds either side of it.
    static func probeInstants(_ zone: IANAZone, years: ClosedRange<Int64>, step: Int = 2_851_201) -> [Int64] {
        let start = CivilDate(year: years.lowerBound, month: 1, day: 1)!.daysSinceEpoch * 86_400
        let end = CivilDate(year: years.upperBound, month: 12, day: 31)!.daysSinceEpoch * 86_400
        var instants = Array(stride(from: start, through: end, by: step))
        for transition in zone.transitions(after: UTCInstant(seconds: start), through: UTCInstant(seconds: end)) {
            let at = transition.instant.seconds
            instants += [at - 1, at, at + 1]
        }
        return instants
    }
}
