import FleetControl
import XCTest

/// When a new rollout starts without asking, asks, or stops: every combination of `--yes`, a
/// terminal on stdin and an explicit SELECTOR, and which answers are a yes.
final class RolloutConsentTests: XCTestCase {
    func testEveryCombinationOfYesTerminalAndSelector() {
        var table: [String] = []
        for yes in [false, true] {
            for terminal in [false, true] {
                for explicit in [false, true] {
                    let decision = RolloutConsent.decide(yes: yes, terminal: terminal, explicitSelector: explicit)
                    table.append("yes=\(yes) terminal=\(terminal) selector=\(explicit): \(decision)")
                }
            }
        }
        XCTAssertEqual(
            table,
            [
                "yes=false terminal=false selector=false: refuse",
                "yes=false terminal=false selector=true: proceed",
                "yes=false terminal=true selector=false: ask",
                "yes=false terminal=true selector=true: ask",
                "yes=true terminal=false selector=false: proceed",
                "yes=true terminal=false selector=true: proceed",
                "yes=true terminal=true selector=false: proceed",
                "yes=true terminal=true selector=true: proceed",
            ])
    }

    func testOnlyYAndYesAreAYes() {
        for answer in ["y", "Y", "yes", "YES", " yes ", "y\r", "Yes\t"] {
            XCTAssertTrue(RolloutConsent.accepts(answer), "'\(answer)'")
        }
        for answer in [nil, "", " ", "n", "no", "N", "ye", "yess", "y y", "sure", "yes please", "\u{1b}[A"] {
            XCTAssertFalse(RolloutConsent.accepts(answer), "'\(answer ?? "EOF")'")
        }
    }
}
