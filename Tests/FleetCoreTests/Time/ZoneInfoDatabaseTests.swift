import FleetCore
import Glibc
import TestSupport
import XCTest

/// Loading zones: names checked before they become paths, the operator's messages, the host
/// zone, and damaged files that must give an error and never a trap.
final class ZoneInfoDatabaseTests: XCTestCase {
    func testNameValidationRefusesPathsOutsideTheDatabase() {
        for name in [
            "Europe/Berlin", "UTC", "Etc/GMT+5", "Etc/GMT-14", "America/Port-au-Prince",
            "America/Argentina/Buenos_Aires", "EST5EDT",
        ] {
            XCTAssertTrue(ZoneInfoDatabase.isValidName(name), name)
        }
        for name in [
            "", "/etc/passwd", "../etc/passwd", "Europe/../../etc/shadow", "Europe/..", "./UTC", "Europe//Berlin",
            "Europe/",
            ".hidden", "Europe/.x", "-rf", "Europe/Ber lin", "Europe/Berlin\n", "Europe\\Berlin", "Éurope/Berlin",
            "UTC\u{0}",
            String(repeating: "a", count: 256),
        ] {
            XCTAssertFalse(ZoneInfoDatabase.isValidName(name), name)
        }
    }

    func testInvalidNamesAreUnknownZonesWithoutReadingAnything() {
        let database = ZoneInfoDatabase(fileSystem: UntouchableFileSystem())
        XCTAssertThrowsError(try database.zone(named: "../../etc/shadow")) { error in
            let zoneError = error as? TimeZoneError
            XCTAssertEqual(zoneError?.code, .unknownZone)
            XCTAssertEqual(
                zoneError?.message,
                "unknown IANA zone '../../etc/shadow' (not a zone name: use Area/Location as in /usr/share/zoneinfo, e.g. 'Europe/Berlin')"
            )
        }
    }

    func testUnknownZoneMessage() throws {
        XCTAssertThrowsError(try ZoneInfoDatabase.system.zone(named: "Europe/Berln")) { error in
            XCTAssertEqual((error as? TimeZoneError)?.message, "unknown IANA zone 'Europe/Berln'")
        }
        XCTAssertThrowsError(try ZoneInfoDatabase.system.zone(named: "Europe")) { error in
            XCTAssertEqual(
                (error as? TimeZoneError)?.message, "unknown IANA zone 'Europe'", "a directory is not a zone")
        }
        XCTAssertThrowsError(try ZoneInfoDatabase.system.zone(named: "zone.tab")) { error in
            XCTAssertEqual((error as? TimeZoneError)?.code, .unknownZone, "a database file that is not a zone")
        }
        let missing = ZoneInfoDatabase(directory: "/nonexistent/zoneinfo")
        XCTAssertThrowsError(try missing.zone(named: "Europe/Berlin")) { error in
            XCTAssertEqual(
                (error as? TimeZoneError)?.message,
                "unknown IANA zone 'Europe/Berlin' (no time zone database at /nonexistent/zoneinfo: install the tzdata package)"
            )
        }
    }

    func testDamagedZoneFileNamesZonePathAndFix() throws {
        let berlin = try zoneBytes("Europe/Berlin")
        let database = ZoneInfoDatabase(
            directory: "/zi",
            fileSystem: MemoryFileSystem(bytes: ["/zi/Europe/Berlin": Array(berlin.prefix(100))], directories: ["/zi"]))
        XCTAssertThrowsError(try database.zone(named: "Europe/Berlin")) { error in
            let zoneError = error as? TimeZoneError
            XCTAssertEqual(zoneError?.code, .malformed)
            XCTAssertEqual(
                zoneError?.message,
                "IANA zone 'Europe/Berlin' at /zi/Europe/Berlin is damaged: truncated the version 1 data block (805 bytes needed, 56 left); reinstall the tzdata package"
            )
        }
    }

    func testLocalZoneComesFromEtcLocaltimeOrIsUTC() throws {
        let berlin = try zoneBytes("Europe/Berlin")
        let database = ZoneInfoDatabase(
            localTimePath: "/etc/localtime", fileSystem: MemoryFileSystem(bytes: ["/etc/localtime": berlin]))
        let local = try database.localZone()
        XCTAssertEqual(local.name, "local")
        XCTAssertEqual(local.localTime(at: UTCInstant(seconds: 1_720_000_000)).abbreviation, "CEST")
        let bare = ZoneInfoDatabase(localTimePath: "/etc/localtime", fileSystem: MemoryFileSystem())
        XCTAssertEqual(try bare.localZone().localTime(at: UTCInstant(seconds: 1_720_000_000)).utcOffset, 0)
        XCTAssertEqual(try ZoneInfoDatabase.system.localZone().name, "local")
    }

    func testVersion1FileUsesThe32BitBlock() throws {
        let bytes = try zoneBytes("Europe/Berlin")
        let full = try IANAZone(name: "Europe/Berlin", tzif: bytes)
        // Keep only the header and the version 1 block, and mark the file as version 1.
        var version1 = Array(bytes.prefix(version1End(bytes)))
        version1[4] = 0
        let old = try IANAZone(name: "Europe/Berlin", tzif: version1)
        XCTAssertNil(old.footer)
        for seconds in stride(from: Int64(-2_000_000_000), to: 2_100_000_000, by: 86_399) {
            let instant = UTCInstant(seconds: seconds)
            XCTAssertEqual(old.localTime(at: instant), full.localTime(at: instant), "\(seconds)")
        }
    }

    /// Property: every truncation and thousands of bit flips, byte changes and splices of real
    /// zone files either load or throw; a loaded zone answers every question without trapping.
    func testDamagedFilesGiveErrorsNeverTraps() throws {
        let random = SeededRandom(seed: 0x7A1F)
        var loaded = 0
        var refused = 0
        for name in ["Europe/Berlin", "Australia/Lord_Howe", "Pacific/Apia", "UTC", "America/Sao_Paulo"] {
            let bytes = try zoneBytes(name)
            var inputs: [[UInt8]] = (0..<bytes.count).map { Array(bytes.prefix($0)) }
            for _ in 0..<1_500 {
                var mutated = bytes
                switch random.below(4) {
                case 0: mutated[random.below(mutated.count)] ^= UInt8(1 << random.below(8))
                case 1: mutated[random.below(mutated.count)] = UInt8(truncatingIfNeeded: random.next())
                case 2:
                    // A count field (header bytes 20...43, either header) set to something large.
                    let header = random.below(2) == 0 ? 0 : version1End(bytes)
                    if header + 44 <= mutated.count { mutated[header + 20 + random.below(24)] = 0xFF }
                default:
                    let at = random.below(mutated.count)
                    mutated.insert(
                        contentsOf: mutated[at..<min(mutated.count, at + random.below(40))],
                        at: random.below(mutated.count))
                }
                inputs.append(mutated)
            }
            for input in inputs {
                do {
                    let zone = try IANAZone(name: name, tzif: input)
                    loaded += 1
                    for seconds in [Int64.min, -1 << 33, 0, 1_700_000_000, 4_102_444_800, 1 << 40, Int64.max] {
                        let shown = zone.localTime(at: UTCInstant(seconds: seconds))
                        _ = zone.resolve(shown.local)
                        _ = zone.transitions(
                            after: UTCInstant(seconds: seconds),
                            through: UTCInstant(seconds: seconds).adding(seconds: 86_400 * 400))
                        _ = shown.iso8601
                    }
                } catch {
                    refused += 1
                    XCTAssertFalse(error.message.isEmpty)
                }
            }
        }
        XCTAssertGreaterThan(refused, 0)
        XCTAssertGreaterThan(loaded, 0)
    }

    // MARK: Helpers

    private func zoneBytes(_ name: String) throws -> [UInt8] {
        try LocalFileSystem().readFile("/usr/share/zoneinfo/" + name)
    }

    /// Where the version 1 data block ends (and a version 2+ file's second header starts).
    private func version1End(_ bytes: [UInt8]) -> Int {
        let isUTC = Int(bigEndian(bytes, at: 20))
        let isStandard = Int(bigEndian(bytes, at: 24))
        let leaps = Int(bigEndian(bytes, at: 28))
        let timeCount = Int(bigEndian(bytes, at: 32))
        let typeCount = Int(bigEndian(bytes, at: 36))
        let charCount = Int(bigEndian(bytes, at: 40))
        return 44 + timeCount * 5 + typeCount * 6 + charCount + leaps * 8 + isUTC + isStandard
    }

    private func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
