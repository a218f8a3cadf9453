import FleetCore
import Foundation
import Monitoring
import TestSupport
import XCTest

@testable import FleetControl

final class SilenceTests: XCTestCase {
    func testMatchingExpiryAndPersistence() throws {
        let silence = Silence(
            id: "ab12cd34", selector: "@edge", hosts: ["pi", "pi2"], detector: "disk_critical",
            createdAt: Peek.time(0), until: Peek.time(3600), reason: "disk swap tonight")
        var list = SilenceList([silence])
        XCTAssertEqual(list.muting(host: "pi", detector: "disk_critical", at: Peek.time(10))?.id, "ab12cd34")
        XCTAssertNil(list.muting(host: "pi", detector: "oauth_fail", at: Peek.time(10)))
        XCTAssertNil(list.muting(host: "big", detector: "disk_critical", at: Peek.time(10)))
        XCTAssertNil(list.muting(host: "pi", detector: "disk_critical", at: Peek.time(3600)))
        let dir = NSTemporaryDirectory() + "silences-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = SilenceStore(directory: dir)
        try store.update { $0 = list }
        XCTAssertEqual(try store.load(), list)
        XCTAssertEqual(list.remove("ab12"), silence)
        XCTAssertNil(list.remove("ab12"))
    }
}
