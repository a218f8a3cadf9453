@testable import Monitoring
import XCTest

final class DurationTextTests: XCTestCase {
    /// Operator messages print seconds as Python floats, as they always have.
    func testSecondsAsTheMonitorsPrintThem() {
        XCTAssertEqual(Duration.seconds(3).secondsText, "3.0s")
        XCTAssertEqual(Duration.milliseconds(2500).secondsText, "2.5s")
        XCTAssertEqual(Duration.milliseconds(731).secondsText, "0.731s")
        XCTAssertEqual(Duration.zero.secondsText, "0.0s")
    }
}
