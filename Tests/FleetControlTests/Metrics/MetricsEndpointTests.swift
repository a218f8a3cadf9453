import XCTest

@testable import FleetControl

final class MetricsEndpointTests: XCTestCase {
    /// `Character.isNumber` holds for digits of other scripts, which `Int` does not parse: the
    /// octet check used to force-unwrap `Int(part)` and trapped on `1.2.3.٣:9100`.
    func testUnicodeDigitsAreRefusedNotATrap() {
        for text in ["1.2.3.٣:9100", "١٢٧.0.0.1:9464", "1.2.3.Ⅻ:9100", "１.2.3.4:9100", "1.2.3.²:9100", "1.2.3.4:٩١٠٠"] {
            XCTAssertNil(MetricsEndpoint.parseListen(text), text)
        }
    }

    func testOctetsAndPorts() {
        XCTAssertEqual(MetricsEndpoint.parseListen("0.0.0.0:0")?.address, "0.0.0.0")
        XCTAssertEqual(MetricsEndpoint.parseListen("255.255.255.255:65535")?.port, 65535)
        XCTAssertEqual(MetricsEndpoint.parseListen("010.1.1.1:80")?.address, "010.1.1.1")
        for text in [
            "1.2.3.256:80", "1.2.3:80", "1.2.3.4.5:80", "1..3.4:80", "1.2.3.0004:80", "+1.2.3.4:80", "1.2.3.-4:80",
            "1.2.3.4:", "1.2.3.4:65536", " 1.2.3.4:80",
        ] {
            XCTAssertNil(MetricsEndpoint.parseListen(text), text)
        }
    }
}
