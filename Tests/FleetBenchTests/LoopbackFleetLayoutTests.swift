import XCTest

@testable import fleet_bench

final class LoopbackFleetLayoutTests: XCTestCase {
    func testAliasesSortInHostOrder() {
        let aliases = LoopbackFleetLayout(hosts: 12).aliases
        XCTAssertEqual(aliases.first, "h001")
        XCTAssertEqual(aliases.last, "h012")
        XCTAssertEqual(aliases, aliases.sorted())
    }

    func testAddressesSkipZeroAndBroadcast() {
        XCTAssertEqual(LoopbackFleetLayout.address(0), "127.0.0.1")
        XCTAssertEqual(LoopbackFleetLayout.address(249), "127.0.0.250")
        XCTAssertEqual(LoopbackFleetLayout.address(250), "127.0.1.1")
        XCTAssertEqual(Set((0..<500).map(LoopbackFleetLayout.address)).count, 500)
    }

    func testServersHoldAtMostSixteenHostsEach() {
        XCTAssertEqual(LoopbackFleetLayout(hosts: 20).servers, [0..<10, 10..<20])
        let servers = LoopbackFleetLayout(hosts: 500).servers
        XCTAssertEqual(servers.count, 32)
        XCTAssertTrue(servers.allSatisfy { $0.count <= 16 && $0.count >= 15 })
        XCTAssertEqual(servers.map(\.count).reduce(0, +), 500)
        XCTAssertEqual(servers.first?.lowerBound, 0)
        XCTAssertEqual(servers.last?.upperBound, 500)
        XCTAssertEqual(LoopbackFleetLayout(hosts: 0).servers, [])
    }
}
