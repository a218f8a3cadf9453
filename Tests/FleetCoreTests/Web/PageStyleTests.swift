import FleetCore
import XCTest

final class PageStyleTests: XCTestCase {
    /// The pages must work with no route to the internet and under a CSP of `style-src 'self'`.
    func testNothingLoadedFromElsewhere() {
        for refused in ["@import", "url(", "http://", "https://", "@font-face", "expression("] {
            XCTAssertFalse(PageStyle.css.contains(refused), refused)
        }
    }

    /// The class names both pages (and the dashboard) are written against.
    func testTheSharedClassesExist() {
        let selectors = [
            "header.page", ".cards", ".card", ".card .value", ".card .label", "table.hosts", ".badge", ".chip",
            "tr.state-bad", "th[aria-sort=\"ascending\"]", "th[aria-sort=\"descending\"]", "input.filter", ".chart",
            ".bar-ok", ".bar-bad", ".bar-warn", ".muted", ".mono", ".stale", "nav.crumbs", ".narrative", ".log",
            ".digest", "@media (max-width", "@media print", "table.events td",
        ]
        for selector in selectors {
            XCTAssertTrue(PageStyle.css.contains(selector), "no rule for \(selector)")
        }
        for state in StateClass.allCases {
            XCTAssertTrue(PageStyle.css.contains(".badge." + state.cssClass), "no badge colour for \(state)")
        }
    }

    /// A transcript line of thousands of characters wraps instead of widening the page.
    func testLogsWrap() throws {
        let rule = try XCTUnwrap(PageStyle.css.range(of: "pre, .log {"))
        let block = PageStyle.css[rule.upperBound...].prefix { $0 != "}" }
        XCTAssertTrue(block.contains("white-space: pre-wrap"), String(block))
        XCTAssertTrue(block.contains("overflow-wrap: anywhere"), String(block))
    }

    func testBracesBalance() {
        XCTAssertEqual(
            PageStyle.css.filter { $0 == "{" }.count, PageStyle.css.filter { $0 == "}" }.count)
    }

    func testStateClassNames() {
        XCTAssertEqual(
            StateClass.allCases.map(\.cssClass), ["state-ok", "state-warn", "state-bad", "state-muted", "state-info"])
    }
}
