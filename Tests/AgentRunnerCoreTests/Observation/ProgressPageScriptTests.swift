import FleetCore
import XCTest

@testable import AgentRunnerCore

/// What can be checked of the script without a browser (which `MonitorPageBrowserTests` runs).
final class ProgressPageScriptTests: XCTestCase {
    let source = ProgressPageScript.source

    /// The state holds bytes an agent controls: the script never parses them as markup.
    func testWritesTheDOMOnlyThroughTextAndElements() {
        for refused in [
            "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(", "location.reload",
        ] {
            XCTAssertFalse(source.contains(refused), refused)
        }
        XCTAssertTrue(source.contains("textContent"))
        XCTAssertTrue(source.contains("createElement"))
    }

    func testColoursKindsWithTheSwiftRules() throws {
        let line = try XCTUnwrap(source.split(separator: "\n").first { $0.contains("const FAMILIES = ") })
        let json = try JSONParser.strict.parse(
            String(line.split(separator: "=", maxSplits: 1)[1].dropLast()).trimmingCharacters(in: .whitespaces))
        XCTAssertEqual(json.arrayValue?.count, EventKindFamily.rules.count)
        XCTAssertEqual(json[0]?[0], .string(StateClass.ok.cssClass))
        XCTAssertEqual(json[3]?[1]?.arrayValue?.first, .string(EventKindFamily.rules[3].words[0]))
    }

    func testFetchesTheStateEveryFiveSeconds() {
        XCTAssertEqual(ProgressPageScript.refreshMilliseconds, 5_000)
        XCTAssertTrue(source.contains(#"fetch("/api/state""#))
        XCTAssertTrue(source.contains("const REFRESH_MS = 5000;"))
        XCTAssertTrue(source.contains(#"getElementById("stale")"#))
    }

    /// The element ids the script updates are the ones the page renders.
    func testTheIdsItUpdatesExistOnThePage() {
        let html = ProgressPage.html(.object([:]), project: "p", logDir: "/l", now: 0)
        for id in ["banners", "narrative-text", "cards", "events", "log-tail", "generated", "stale"] {
            XCTAssertTrue(source.contains(#"getElementById("\#(id)")"#), id)
            XCTAssertTrue(html.contains(#"id="\#(id)""#), id)
        }
    }
}
