import FleetCore
import Foundation
import TestSupport
import XCTest

/// One host's hostile version string must not break the scrape: expositions whose label values
/// and HELP texts are generated hostile text pass the real Prometheus parser (`promtool check
/// metrics`, from Debian's prometheus package) and unescape back to the values given.
final class LabelEscapePromtoolTests: XCTestCase {
    static let promtool = "/usr/bin/promtool"

    func testGeneratedLabelValuesPassPromtool() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.promtool) else {
            throw MissingPrerequisite(
                "\(Self.promtool) missing; install it as root with: apt-get install -y prometheus (scripts/test does)")
        }
        let generator = HostileText()
        for _ in 0..<8 {
            var values: [String] = []
            var families: [MetricFamily] = []
            for index in 0..<60 {
                let value = generator.string()
                values.append(value)
                families.append(
                    MetricFamily(
                        name: "fleet_host_info_\(index)", help: "Build of " + generator.string(maxPieces: 6),
                        kind: .gauge,
                        samples: [.init(labels: [.init("host", "h\(index)"), .init("version", value)], value: 1)]))
            }
            let exposition = PrometheusText.render(families)
            let hint = generator.random.replayHint
            let lint = try PosixProcessRunner().run(
                ProcessRequest(
                    Self.promtool, arguments: ["check", "metrics"], standardInput: .bytes(Array(exposition.utf8)),
                    standardOutput: .capture(), standardError: .capture(), deadline: .now + .seconds(20)))
            XCTAssertTrue(
                lint.exit.isSuccess, "promtool: \(lint.stdoutText) \(lint.stderrText); \(hint)\n\(exposition)")
            let parsed = Self.versionLabels(exposition)
            XCTAssertEqual(parsed, values, hint)
        }
    }

    /// The `version` label of each sample line, unescaped as the exposition format defines.
    static func versionLabels(_ exposition: String) -> [String] {
        var values: [String] = []
        for line in exposition.utf8.split(separator: 0x0A) where line.first != UInt8(ascii: "#") {
            let bytes = Array(line)
            guard let start = Self.find(Array("version=\"".utf8), in: bytes) else { continue }
            var value: [UInt8] = []
            var index = start
            while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                    index += 1
                    value.append(bytes[index] == UInt8(ascii: "n") ? 0x0A : bytes[index])
                } else {
                    value.append(bytes[index])
                }
                index += 1
            }
            values.append(String(decoding: value, as: UTF8.self))
        }
        return values
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle)
        {
            return start + needle.count
        }
        return nil
    }
}
